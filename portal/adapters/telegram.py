"""A Telegram chat through the Bot API's ``sendMessage`` (HTTPS, JSON).

The API's address is configurable (`TelegramChannel.api_base`), so the tests point it
at a fake on loopback. Raises `ChannelFailed` with ``telegram-token`` (the API does not
know the bot: 401/404), ``telegram-chat`` (no such chat, or the bot is not in it:
400/403), ``telegram-busy`` (429, too many messages), ``telegram-error`` (another
answer) or ``telegram-connect`` (no answer).
"""

from __future__ import annotations

import json
import ssl
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from portal.adapters.channels import ChannelFailed
from portal.domain.notify.channels import TelegramChannel

TIMEOUT_SECONDS = 15
MAX_ANSWER_BYTES = 64 * 1024
#: A message may be 4096 characters; longer text is cut, never split into several.
MAX_TEXT = 4096
#: Where plain http is allowed: this machine (a local relay, the tests' fake).
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


def send_message(channel: TelegramChannel, text: str, *, context: ssl.SSLContext) -> None:
    """Post ``text`` to the channel's chat. Raises ChannelFailed."""
    url = f"{channel.api_base}/bot{channel.token}/sendMessage"
    parts = urlsplit(url)
    if not (parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in LOOPBACK)):
        # The domain refuses such an address already; the token must never travel in
        # the clear to another machine, whatever is stored.
        raise ChannelFailed("telegram-error", permanent=True)
    body = json.dumps(
        {"chat_id": channel.chat_id, "text": text[:MAX_TEXT], "disable_web_page_preview": True}
    ).encode()
    request = urllib.request.Request(  # noqa: S310 (scheme checked above)
        url, data=body, method="POST", headers={"Content-Type": "application/json"}
    )
    opener = urllib.request.build_opener(
        urllib.request.HTTPSHandler(context=context), _NoRedirect()
    )
    try:
        with opener.open(request, timeout=TIMEOUT_SECONDS) as answer:
            reply = json.loads(answer.read(MAX_ANSWER_BYTES) or b"{}")
    except urllib.error.HTTPError as error:
        error.close()  # the answer's connection; the error object keeps it open otherwise
        raise _failure(error.code) from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        if isinstance(reason, ssl.SSLError):
            raise ChannelFailed("telegram-tls", permanent=True) from None
        raise ChannelFailed("telegram-connect") from None
    except ValueError:
        raise ChannelFailed("telegram-error") from None
    if not isinstance(reply, dict) or reply.get("ok") is not True:
        raise ChannelFailed("telegram-error")


def _failure(status: int) -> ChannelFailed:
    # ``from None`` above: the HTTPError's URL carries the bot token, and tracebacks
    # end up in logs.
    if status in (401, 404):
        return ChannelFailed("telegram-token", permanent=True)
    if status in (400, 403):
        return ChannelFailed("telegram-chat", permanent=True)
    if status == 429:
        return ChannelFailed("telegram-busy")
    return ChannelFailed("telegram-error")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """The Bot API never redirects; following one would carry the token elsewhere."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None
