"""What the shell hands the handlers and gets back: plain requests and replies.

No sockets here and no packet codec: the shell (radius/server.py) has already checked
the client, the authenticators and the Message-Authenticator, turned the MAC into a
normalised string that lives only in memory, and will commit the session. The
decisions themselves are the domain's (`portal.domain.access.authorize`,
`portal.domain.usage.accounting`); radius/authentication.py and radius/accounting.py
only translate.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

from portal.domain.access.decisions import AccessContext
from portal.domain.access.decisions import Attempt as AccessRequest
from portal.domain.network.policies import PolicyCache
from portal.domain.pseudonyms import KeyRing
from portal.domain.usage.accounting import AccountingContext
from portal.messages import WRONG

__all__ = ["WRONG", "AccessReply", "AccessRequest", "Credentials", "HandlerContext"]

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


class AccessReply(NamedTuple):
    """Accept or reject, the reply attributes, and why (a metric label, no personal data).

    ``delay`` asks the shell to hold a reject back (wrong credentials).
    """

    accept: bool
    attributes: tuple[tuple[str, object], ...]
    reason: str
    delay: bool = False


@dataclass
class HandlerContext:
    """What handlers share across packets: the domain's access context and what this
    process remembers between batches."""

    master_key: str
    keyring: KeyRing = field(default_factory=KeyRing)
    allow_mac_login: bool = True
    policy_ttl: float = 10.0
    #: Gateway uptime buckets already written (see `UsageBatch.marked`).
    uptime_marked: set = field(default_factory=set)
    #: The local hour (aware datetime) of each village's last recorded peak of
    #: concurrent devices (see `portal.domain.usage.accounting.record_batch`).
    peak_hours: dict = field(default_factory=dict)
    #: Session seconds one second of wall time may account for (see
    #: `portal.config.Settings.session_time_factor`).
    time_factor: float = 1.0
    #: Called with the reason code of each implausible counter a committed accounting
    #: batch bounded (the server counts them in its metrics).
    implausible: Callable[[str], None] = field(default=lambda _reason: None)
    access: AccessContext = field(init=False)
    accounting: AccountingContext = field(init=False)

    def __post_init__(self) -> None:
        policies = PolicyCache(self.policy_ttl)
        self.access = AccessContext(self.master_key, self.keyring, policies, self.allow_mac_login)
        self.accounting = AccountingContext(
            self.keyring,
            policies,
            self.uptime_marked,
            self.peak_hours,
            implausible=self.implausible,
            time_factor=self.time_factor,
        )
