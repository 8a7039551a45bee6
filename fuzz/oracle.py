"""What the fuzz harness checks after every input: outcomes, replies, and logins.

Every datagram must end in exactly one outcome: a drop counted with a reason from
`DROP_ALLOWLIST`, or an answer that is correctly signed (a retransmission answered
from the duplicate cache counts no metric but must still be answered). An
Access-Accept must be earned: the grant's or voucher's password proved by PAP or
CHAP, or a MAC login by the device itself. Anything else is a `Failure`.
"""

from __future__ import annotations

import hashlib
import hmac

from fuzz import world
from fuzz.packets import (
    ACCESS_ACCEPT,
    CALLING_STATION,
    CHAP_CHALLENGE,
    CHAP_PASSWORD,
    NAS_IDENTIFIER,
    STATUS_SERVER,
    USER_NAME,
    USER_PASSWORD,
    first,
    parse,
    reply_ok,
)
from portal.domain.access import vouchers
from portal.domain.pseudonyms import InvalidMac, normalize_mac
from radius.metrics import Metrics

# Drops a datagram may earn before it is known to be signed with its gateway's secret:
# all that octets nobody signed can get (radius/server.py `_admit`, radius/decode.py).
INTEGRITY_DROPS = frozenset(
    {
        "malformed",
        "unexpected-code",
        "unknown-client",
        "bad-authenticator",
        "bad-message-authenticator",
        "missing-message-authenticator",
        "proxy-state-without-message-authenticator",
        "eap-message-without-message-authenticator",
        "status-server-without-message-authenticator",
    }
)
# Drops a hostile or broken datagram may earn at all: the above, and what the decoders
# refuse in a signed one. "internal-error" (an exception reached the boundary) and
# "not-stored" (a handler's transaction failed on a healthy database) are bugs.
DROP_ALLOWLIST = INTEGRITY_DROPS | {
    "no-user-name",
    "bad-user-name",
    "bad-password",
    "bad-integer",
    "no-session-id",
    "bad-session-id",
    "bad-counter",
}


class Failure(Exception):
    """The server did something it must not do with one input."""


class Recorder(Metrics):
    """The server's metrics, also noting each drop and answer of the current input."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.events: list[str] = []

    def drop(self, reason: str) -> None:
        self.events.append(f"drop:{reason}")
        super().drop(reason)

    def count(self, kind: str, result: str) -> None:
        self.events.append(f"{kind}:{result}")
        super().count(kind, result)


def check(events: list[str], request: bytes, replies: list[bytes], catalogue) -> str:
    """The input's outcome label; raises Failure when the outcome is wrong."""
    if len(events) > 1:
        raise Failure(f"one datagram, several outcomes: {events}")
    if events and events[0].startswith("drop:"):
        reason = events[0][5:]
        if reason not in DROP_ALLOWLIST:
            raise Failure(f"dropped with reason {reason!r}")
        if replies:
            raise Failure(f"dropped ({reason}) but answered")
        return events[0]
    length = int.from_bytes(request[2:4], "big")
    request = request[:length] if 20 <= length <= len(request) else request  # the rest pads
    if len(replies) != 1:
        raise Failure(f"{events or 'a retransmission'} answered {len(replies)} times")
    _, _, _, attributes, _ = parse(request)
    nas = (first(attributes, NAS_IDENTIFIER) or b"").decode("utf-8", "replace")
    secret = catalogue.secrets.get(nas)
    if secret is None:
        raise Failure(f"answered a request from unknown NAS-Identifier {nas!r}")
    wrong = reply_ok(request, replies[0], secret.encode())
    if wrong is not None:
        raise Failure(f"bad reply: {wrong}")
    if request[0] == STATUS_SERVER:  # an Access-Accept to Status-Server lets no one in
        return events[0] if events else "duplicate"
    if replies[0][0] == ACCESS_ACCEPT and not earned(request, nas, secret.encode(), catalogue):
        raise Failure("Access-Accept without valid credentials")
    return events[0] if events else "duplicate"


def earned(request: bytes, nas: str, secret: bytes, catalogue) -> bool:
    """Whether the request proves a credential valid at gateway ``nas``."""
    _, _, authenticator, attributes, _ = parse(request)
    user = (first(attributes, USER_NAME) or b"").decode("utf-8", "replace")
    grant = next((g for g in catalogue.grants if g["user"] == user), None)
    if grant is not None:
        return grant["nas"] == nas and proves(attributes, authenticator, secret, grant["password"])
    code = vouchers.normalize_code(user)
    if code is not None:
        village = world.GATEWAYS[nas][0]
        return catalogue.vouchers.get(code) == village and any(
            proves(attributes, authenticator, secret, text)
            for text in {user, code, vouchers.format_code(code)}
        )
    mac = (first(attributes, CALLING_STATION) or b"").decode("utf-8", "replace")
    try:
        # any of the world's devices may have accepted the terms (a grant login notes it)
        return normalize_mac(user) == normalize_mac(mac) and normalize_mac(mac) in catalogue.macs
    except InvalidMac:
        return False


def proves(attributes, authenticator: bytes, secret: bytes, password: str) -> bool:
    """CHAP (preferred when present, RFC 1994) or PAP proves ``password``."""
    chap = first(attributes, CHAP_PASSWORD)
    if chap is not None:
        challenge = first(attributes, CHAP_CHALLENGE) or authenticator
        expected = hashlib.md5(chap[:1] + password.encode() + challenge).digest()  # noqa: S324
        return len(chap) == 17 and hmac.compare_digest(chap[1:], expected)
    hidden = first(attributes, USER_PASSWORD)
    if hidden is None or len(hidden) % 16:
        return False
    clear, last = b"", authenticator
    for start in range(0, len(hidden), 16):
        pad = hashlib.md5(secret + last).digest()  # noqa: S324 (RFC 2865)
        last = hidden[start : start + 16]
        clear += bytes(a ^ b for a, b in zip(last, pad, strict=True))
    return clear.rstrip(b"\0") == password.encode()
