"""The router's hotspot context as the domain sees it: what is kept, whose links are
allowed, the CHAP answer, what the router's error means, the login the phone makes.

The HTTP edge (`portal.web.router_fields`) decodes the router's posted fields and checks
their URLs into a frozen `RouterContext` (no MAC, no client IP), or raises
`InvalidRouterContext` with a machine-readable reason; it writes the `RouterLogin` this
module returns as the router's login URL.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
from dataclasses import dataclass
from typing import NamedTuple

_OCTAL_BYTES = re.compile(r"(?:\\[0-7]{3})+")


class InvalidRouterContext(ValueError):
    """The router's fields cannot be used; ``reason`` names which check failed.

    Reasons: ``too-long``, ``no-identity``, ``bad-mac``, ``bad-login-link``,
    ``foreign-login-link``, ``bad-chap``. The message never repeats the input.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class RouterContext:
    """What the portal keeps of a router's login-page variables (no MAC, no client IP)."""

    identity: str
    #: The router's /login, validated to be on the gateway's hotspot address.
    login_url: str
    #: The router's /logout beside its /login.
    logout_url: str
    #: Where the phone goes after login: the original URL when it is plain http(s).
    orig_url: str | None
    #: The router's /status page, when it was given and is on the same host.
    status_url: str | None
    chap_id: bytes | None
    chap_challenge: bytes | None
    #: The router's error text from the previous attempt, clipped, shown only as text.
    error: str
    trial: bool

    @property
    def uses_chap(self) -> bool:
        return self.chap_id is not None and self.chap_challenge is not None


def decode_octal(text: str) -> bytes | None:
    """Bytes from RouterOS's backslash-octal escapes (``\\371`` → ``b'\\xf9'``).

    Returns None for an empty value; raises InvalidRouterContext("bad-chap") when the
    text is anything but a run of three-digit escapes.
    """
    if not text:
        return None
    if not _OCTAL_BYTES.fullmatch(text):
        raise InvalidRouterContext("bad-chap")
    return bytes(int(text[i + 1 : i + 4], 8) for i in range(0, len(text), 4))


def encode_octal(data: bytes) -> str:
    """The inverse of `decode_octal`: how the router writes ``$(chap-id)``."""
    return "".join(f"\\{byte:03o}" for byte in data)


def chap_response(chap_id: bytes, secret: str, challenge: bytes) -> str:
    """The HTTP-CHAP password: lowercase hex MD5 of chap-id, secret and challenge.

    MD5 is what RouterOS's hotspot CHAP defines; it is not used for anything else.
    """
    digest = hashlib.md5(chap_id + secret.encode() + challenge, usedforsecurity=False)
    return digest.hexdigest()


def host_allowed(host: str, hotspot_host: str | None) -> bool:
    """Whether a link's host is the gateway's hotspot address or DNS name.

    With no hotspot host configured, any private address is accepted (a hotspot's
    own address is always on its private LAN), but never a public one or a name.
    """
    host = host.lower().rstrip(".")
    if hotspot_host:
        configured = hotspot_host.strip().lower().rstrip(".")
        if configured.startswith("["):
            configured = configured[1:].split("]", 1)[0]
        elif configured.count(":") == 1:  # "10.5.50.1:8080": the port may differ
            configured = configured.split(":", 1)[0]
        return host == configured
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_private and not address.is_unspecified and not address.is_multicast


#: Words in the router's error text (its errors.txt, or our RADIUS Reply-Message) that
#: tell what went wrong; the first group that matches wins.
_ERROR_KINDS = (
    ("quota", ("kuota", "quota", "traffic limit", "uptime limit", "limit")),
    ("expired", ("kedaluwarsa", "expired", "sudah dipakai", "already used", "chap-missing")),
    ("busy", ("timeout", "not responding", "tidak merespons", "session limit", "penuh")),
    ("voucher", ("voucher",)),
    ("refused", ("invalid", "salah", "ditolak", "rejected", "not allowed")),
)


def classify_error(text: str) -> str | None:
    """What kind of problem the router reported: quota, expired, busy, voucher,
    refused or other; None when there was no error."""
    if not text:
        return None
    lowered = text.lower()
    for kind, words in _ERROR_KINDS:
        if any(word in lowered for word in words):
            return kind
    return "other"


class RouterLogin(NamedTuple):
    """The phone's login at the router: its /login address and the form it sends there
    (the web edge writes it as a URL, `portal.web.router_fields.login_redirect`)."""

    login_url: str
    username: str
    #: The CHAP response in hex when the router sent a challenge, else the plain secret
    #: (the router then sends it to RADIUS as PAP).
    password: str
    dst: str


def router_login(
    login_url: str,
    *,
    username: str,
    secret: str,
    chap_id: bytes | None,
    chap_challenge: bytes | None,
    dst: str,
) -> RouterLogin:
    """The login the phone makes at ``login_url`` with ``username`` and ``secret``."""
    if chap_id is not None and chap_challenge is not None:
        password = chap_response(chap_id, secret, chap_challenge)
    else:
        password = secret
    return RouterLogin(login_url, username, password, dst)
