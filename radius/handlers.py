"""What handlers take and return: plain requests and replies, the residents' messages.

No sockets here and no packet codec: the shell (radius/server.py) has already checked
the client, the authenticators and the Message-Authenticator, turned the MAC into a
normalised string that lives only in memory, and will commit the session. The handlers
themselves are radius/authentication.py and radius/accounting.py; they only flush.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from sqlalchemy.orm import Session

from portal.domain import clock
from portal.domain.access.pseudonyms import KeyRing
from portal.domain.network.policies import EffectivePolicy, effective_policy
from portal.domain.usage import quotas
from radius.clients import Client

WRONG = "Kode atau kata sandi salah. Silakan coba lagi."
GRANT_STALE = (
    "Sesi masuk sudah kedaluwarsa. Buka lagi halaman Wi-Fi Desa lalu tekan Setuju & Sambungkan."
)
NO_DEVICE = "Perangkat tidak dikenali. Silakan sambungkan ulang ke Wi-Fi."
TERMS_FIRST = "Silakan buka halaman Wi-Fi Desa dan setujui ketentuan terlebih dahulu."
VOUCHER_MESSAGES = {
    "unknown": WRONG,
    "expired": "Masa berlaku voucher sudah habis.",
    "voided": "Voucher ini sudah tidak berlaku.",
    "used-up": "Kuota voucher ini sudah habis.",
    "taken": "Voucher ini sudah dipakai di perangkat lain.",
}


# The records built for every packet are named tuples: immutable like a frozen dataclass,
# built several times faster (a frozen dataclass sets each field through object.__setattr__).


class Credentials(NamedTuple):
    """What the router sent to prove the password: PAP cleartext or a CHAP response."""

    password: str | None = None
    chap_password: bytes | None = None  # CHAP ident (1 octet) + MD5 response (16 octets)
    chap_challenge: bytes | None = None

    def matches(self, cleartext: str) -> bool:
        """True when the credentials prove ``cleartext``; compared in constant time."""
        if self.chap_password is not None and self.chap_challenge is not None:
            if len(self.chap_password) != 17:
                return False
            ident, response = self.chap_password[:1], self.chap_password[1:]
            expected = hashlib.md5(  # noqa: S324 (CHAP is defined with MD5, RFC 1994)
                ident + cleartext.encode() + self.chap_challenge
            ).digest()
            return hmac.compare_digest(expected, response)
        if self.password is not None:
            return hmac.compare_digest(self.password.encode(), cleartext.encode())
        return False


class AccessRequest(NamedTuple):
    """A verified Access-Request. ``mac`` is normalised, or None when absent or invalid."""

    client: Client
    user_name: str
    credentials: Credentials
    mac: str | None


class AccessReply(NamedTuple):
    """Accept or reject, the reply attributes, and why (a metric label, no personal data).

    ``delay`` asks the shell to hold a reject back (wrong credentials).
    """

    accept: bool
    attributes: tuple[tuple[str, object], ...]
    reason: str
    delay: bool = False


def reject(message: str, reason: str, *, delay: bool = False) -> AccessReply:
    return AccessReply(False, (("Reply-Message", message),), reason, delay)


@dataclass
class HandlerContext:
    """What handlers share across packets: keys, the key ring and a policy cache."""

    master_key: str
    keyring: KeyRing = field(default_factory=KeyRing)
    allow_mac_login: bool = True
    policy_ttl: float = 10.0
    #: Gateway uptime buckets already written (see `UsageBatch.marked`).
    uptime_marked: set = field(default_factory=set)
    #: The local hour (aware datetime) of each village's last recorded peak of
    #: concurrent devices (see `radius.accounting._peaks_due`).
    peak_hours: dict = field(default_factory=dict)
    _policies: dict[str, tuple[EffectivePolicy, float]] = field(default_factory=dict)

    def policy(self, session: Session, village_kode: str) -> EffectivePolicy:
        """The village's effective policy, re-read at most every ``policy_ttl`` seconds."""
        cached = self._policies.get(village_kode)
        if cached is not None and cached[1] > time.monotonic():
            return cached[0]
        policy = effective_policy(session, village_kode)
        self._policies[village_kode] = (policy, time.monotonic() + self.policy_ttl)
        return policy


def accept(
    policy: EffectivePolicy,
    state: quotas.QuotaState,
    *,
    class_: str,
    now: datetime,
    timezone: str,
    throttled: bool = False,
) -> AccessReply:
    """The Access-Accept for what is left today (or, ``throttled``, the throttle rate).

    Session-Timeout is the smallest of time left today, the longest session and the
    seconds to local midnight, so no session outlives the quota window that allowed it.
    """
    timeouts = [policy.max_session_minutes * 60, clock.seconds_to_midnight(now, timezone)]
    if not throttled and state.seconds_left is not None:
        timeouts.append(state.seconds_left)
    attributes: list[tuple[str, object]] = [
        ("Session-Timeout", max(1, min(timeouts))),
        ("Idle-Timeout", policy.idle_minutes * 60),
        ("Acct-Interim-Interval", policy.interim_minutes * 60),
        ("Mikrotik-Rate-Limit", policy.throttle_rate if throttled else policy.rate_limit),
        ("Class", class_.encode()),
    ]
    if not throttled and state.bytes_left is not None:
        attributes.append(("Mikrotik-Total-Limit", state.bytes_left & 0xFFFFFFFF))
        attributes.append(("Mikrotik-Total-Limit-Gigawords", state.bytes_left >> 32))
    return AccessReply(True, tuple(attributes), "throttle" if throttled else "accept")
