"""The router's login-page fields at the HTTP edge: decoding, URL checks, the login link.

A MikroTik hotspot's login page posts its variables (``identity``, ``mac``,
``link-login-only``, ``chap-id`` …) to the portal. Every one of them is untrusted:
anyone can open ``/hotspot`` with arbitrary fields. `parse_router_fields` decodes the
raw fields, checks every URL among them and returns a frozen
`~portal.domain.access.hotspot.RouterContext`, or raises `InvalidRouterContext` with a
machine-readable reason; the MAC address is returned separately so the caller can turn
it into a device pseudonym at once and forget it (it is never stored, logged, or
carried in a token). `login_redirect` writes the domain's `RouterLogin` as the router's
login URL.

URL parsing and form decoding live here, not in the domain (which imports no
``urllib``); what is decided about the values (whose host a link may name, the CHAP
answer, what an error text means) is `portal.domain.access.hotspot`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import unquote_plus, urlencode, urlsplit, urlunsplit

from portal.domain.access.hotspot import (
    InvalidRouterContext,
    RouterContext,
    RouterLogin,
    decode_octal,
    host_allowed,
)
from portal.domain.network.gateways import is_ip

#: The names MikroTik gives its login-page variables, as the router-side page posts them.
ROUTER_FIELDS = (
    "identity",
    "server-name",
    "mac",
    "ip",
    "username",
    "link-login-only",
    "link-orig",
    "link-status",
    "chap-id",
    "chap-challenge",
    "error",
    "trial",
)

#: Free text the router-side login page posts URL-escaped, as ``$(name-esc)`` in a field
#: named ``name-esc``: RouterOS substitutes values without HTML-escaping them, so a raw
#: ``"`` in the address the phone asked for (or in a username or an error text) would
#: break out of the hidden input on the router's own origin.
ESCAPED_FIELDS = frozenset({"username", "link-orig", "error"})
#: The names the router-side login page posts, one per $(variable) it substitutes.
POSTED_FIELDS = tuple(f"{name}-esc" if name in ESCAPED_FIELDS else name for name in ROUTER_FIELDS)

#: Longest value accepted per field; anything longer is refused (or, for the
#: informational fields, dropped) before it is looked at.
MAX_LENGTH = {
    "identity": 64,
    "server-name": 64,
    "mac": 32,
    "ip": 45,
    "username": 64,
    "link-login-only": 300,
    "link-orig": 1000,
    "link-status": 300,
    "chap-id": 16,
    "chap-challenge": 80,
    "error": 300,
    "trial": 8,
}
#: The router's error text is shown (as text) at most this long.
MAX_ERROR_SHOWN = 200

_UNSAFE_URL_CHARS = re.compile(r"[\x00-\x20\x7f\\]")
_LABEL = r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?"
_HOSTNAME = re.compile(rf"^{_LABEL}(\.{_LABEL})*$")


def logout_url(login_url: str) -> str:
    """The router's /logout beside its (already checked) /login."""
    parts = urlsplit(login_url)
    return urlunsplit((parts.scheme, parts.netloc, "/logout", "", ""))


def _clean_url(raw: str) -> tuple[str, str, str] | None:
    """(scheme, host, netloc) of a plain http(s) URL, or None when it is anything else."""
    if not raw or _UNSAFE_URL_CHARS.search(raw):
        return None
    try:
        parts = urlsplit(raw)
        host = parts.hostname or ""
        parts.port  # noqa: B018 (raises ValueError for a malformed port)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not host or "@" in parts.netloc:
        return None
    if not raw.lower().startswith(f"{parts.scheme}://"):
        return None
    return parts.scheme, host, parts.netloc


def safe_destination(raw: str) -> str | None:
    """``raw`` when it is a plain http(s) URL to a well-formed host, else None."""
    cleaned = _clean_url(raw)
    if cleaned is None:
        return None
    host = cleaned[1]
    if not (_HOSTNAME.match(host) or is_ip(host)):
        return None
    return raw


def router_link(raw: str, hotspot_host: str | None) -> str:
    """The router's /login URL rebuilt from its checked parts.

    Raises InvalidRouterContext("bad-login-link") when it is not a plain http(s)
    address without query or fragment, and ("foreign-login-link") when its host is not
    the gateway's (see `host_allowed`).
    """
    cleaned = _clean_url(raw)
    if cleaned is None:
        raise InvalidRouterContext("bad-login-link")
    scheme, host, netloc = cleaned
    parts = urlsplit(raw)
    if parts.query or parts.fragment or "?" in raw or "#" in raw:
        raise InvalidRouterContext("bad-login-link")
    if not host_allowed(host, hotspot_host):
        raise InvalidRouterContext("foreign-login-link")
    return urlunsplit((scheme, netloc.lower(), parts.path or "/login", "", ""))


def parse_router_fields(
    fields: Mapping[str, str], *, hotspot_host: str | None
) -> tuple[RouterContext, str]:
    """Check the router's fields for a gateway whose hotspot host is ``hotspot_host``.

    Returns the context and the raw MAC text (to be turned into a pseudonym and
    dropped; the caller normalises it). Raises InvalidRouterContext.
    """
    raw = {name: router_value(fields, name) for name in ROUTER_FIELDS}
    values = {name: value.strip() for name, value in raw.items()}
    for name in ("identity", "mac", "link-login-only", "chap-id", "chap-challenge"):
        if len(values[name]) > MAX_LENGTH[name]:
            raise InvalidRouterContext("too-long")
    if not values["identity"]:
        raise InvalidRouterContext("no-identity")
    if not values["mac"]:
        raise InvalidRouterContext("bad-mac")
    login_url = router_link(values["link-login-only"], hotspot_host)
    chap_id = decode_octal(values["chap-id"])
    challenge = decode_octal(values["chap-challenge"])
    if (chap_id is None) != (challenge is None):
        raise InvalidRouterContext("bad-chap")
    if chap_id is not None and (len(chap_id) != 1 or len(challenge or b"") != 16):
        raise InvalidRouterContext("bad-chap")
    orig = values["link-orig"]
    status = values["link-status"]
    status_url = None
    if status and len(status) <= MAX_LENGTH["link-status"]:
        try:
            status_url = router_link(status, hotspot_host)
        except InvalidRouterContext:
            status_url = None
    context = RouterContext(
        identity=values["identity"],
        login_url=login_url,
        logout_url=logout_url(login_url),
        orig_url=safe_destination(orig) if len(orig) <= MAX_LENGTH["link-orig"] else None,
        status_url=status_url,
        chap_id=chap_id,
        chap_challenge=challenge,
        error=_clip_error(raw["error"]),
        trial=values["trial"].lower() == "yes",
    )
    return context, values["mac"]


def router_value(fields: Mapping[str, str], name: str) -> str:
    """The router's value of ``name``: its URL-decoded ``name-esc`` field when posted
    (see ESCAPED_FIELDS), else the plain field (a hand-made or older login page); "" if
    neither. An escaped field longer than three times the limit is not decoded."""
    escaped = fields.get(f"{name}-esc") if name in ESCAPED_FIELDS else None
    if escaped is not None and len(escaped) <= 3 * MAX_LENGTH[name]:
        return unquote_plus(escaped)
    return fields.get(name) or ""


def _clip_error(text: str) -> str:
    """The router's error as one line of printable text, at most MAX_ERROR_SHOWN long."""
    printable = "".join(ch if ch.isprintable() else " " for ch in text[: MAX_LENGTH["error"]])
    return " ".join(printable.split())[:MAX_ERROR_SHOWN]


def login_redirect(login: RouterLogin) -> str:
    """Where the phone logs in: ``login_url?username=…&password=…&dst=…&popup=false``."""
    query = urlencode(
        {"username": login.username, "password": login.password, "dst": login.dst, "popup": "false"}
    )
    return f"{login.login_url}?{query}"
