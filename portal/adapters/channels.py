"""What a notification channel can answer: sent, or a `ChannelFailed` with a reason code.

The codes are the console's and the outbox's vocabulary (the words for each are in
`portal.messages.CHANNEL_ERRORS`). ``permanent`` failures (a wrong password, an unknown
chat) are still retried by the outbox — an officer may fix the settings meanwhile —
but the test button says at once what is wrong.
"""

from __future__ import annotations

import ssl
from pathlib import Path


class ChannelFailed(Exception):
    """Sending failed; ``code`` says why (e.g. ``smtp-auth``, ``telegram-chat``)."""

    def __init__(self, code: str, permanent: bool = False) -> None:
        super().__init__(code)
        self.code, self.permanent = code, permanent


def tls_context(ca_file: str = "") -> ssl.SSLContext:
    """A verifying TLS client context: the system's CAs, plus ``ca_file`` when given
    (an office's own CA; the tests' throwaway one)."""
    context = ssl.create_default_context()
    if ca_file:
        context.load_verify_locations(cafile=str(Path(ca_file)))
    return context
