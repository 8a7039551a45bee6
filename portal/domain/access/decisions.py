"""What a decision about a resident is made of: the request, the proof, the answer.

`portal.domain.access.authorize` makes decisions; these are their shapes: an `Attempt`
(a request to go on, with a `Proof` of the password), a `Decision` (accept or reject,
a reason code, the allowance, the reply attributes as data), and what decisions share
in one process (`AccessContext`). `reply_attributes` is how an allowance is told to a
MikroTik router.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple, Protocol

from portal.domain import clock
from portal.domain.access import grants
from portal.domain.network.gateways import AccessPoint
from portal.domain.network.policies import PolicyCache, interim_minutes_for
from portal.domain.pseudonyms import KeyRing
from portal.domain.usage.allowance import Allowance

#: Reason codes of a refusal whose credentials were wrong: the reply is held back.
SLOW_REFUSALS = frozenset(
    {
        "wrong-password",
        "unknown-user",
        "voucher-unknown",
        "voucher-taken",
        "voucher-throttled",
        "no-device",
    }
) | {f"grant-{reason}" for reason in grants.REFUSALS}


class Proof(Protocol):
    """What the router sent to prove a password (PAP cleartext or a CHAP response)."""

    def matches(self, cleartext: str) -> bool: ...


class Attempt(NamedTuple):
    """One request to go on. ``mac`` is normalised, or None when the router sent none
    (it lives in memory only: the decision works with pseudonyms)."""

    point: AccessPoint
    user_name: str
    proof: Proof
    mac: str | None


class Decision(NamedTuple):
    """Accept or reject, why (a reason code: "accept", "throttle", "quota",
    "grant-expired", …), the allowance it grants (or that was spent), and the reply
    attributes of an accept as (name, value) pairs in the RADIUS dictionary's names.

    ``delay`` asks the caller to hold a refusal back (wrong credentials: slows guessing).
    """

    accepted: bool
    reason: str
    attributes: tuple[tuple[str, object], ...] = ()
    allowance: Allowance | None = None
    delay: bool = False


@dataclass
class AccessContext:
    """What decisions share across requests: the installation's key, the pseudonym key
    ring and a short cache of villages' policies."""

    master_key: str
    keyring: KeyRing = field(default_factory=KeyRing)
    policies: PolicyCache = field(default_factory=PolicyCache)
    allow_mac_login: bool = True


def refuse(reason: str, allowance: Allowance | None = None) -> Decision:
    return Decision(False, reason, (), allowance, reason in SLOW_REFUSALS)


def reply_attributes(
    granted: Allowance,
    *,
    class_: bytes,
    now: datetime,
    timezone: str,
    backhaul_class: str | None = None,
) -> tuple[tuple[str, object], ...]:
    """The Access-Accept's attributes for what is left today (or the throttle rate).

    Session-Timeout is the smallest of time left today, the longest session and the
    seconds to local midnight, so no session outlives the quota window that allowed it.
    Acct-Interim-Interval is the gateway's (`policies.interim_minutes_for`: the policy's,
    lengthened for a slow backhaul), the same the router's profile gets from the .rsc:
    the attribute overrides the profile for the session (VERIFY-ON-ROUTER S2).
    Mikrotik-Total-Limit carries the low 32 bits of the data left and
    Mikrotik-Total-Limit-Gigawords the rest (RouterOS combines them).
    """
    policy = granted.policy
    timeouts = [policy.max_session_minutes * 60, clock.seconds_to_midnight(now, timezone)]
    if not granted.throttled and granted.seconds_left is not None:
        timeouts.append(granted.seconds_left)
    attributes: list[tuple[str, object]] = [
        ("Session-Timeout", max(1, min(timeouts))),
        ("Idle-Timeout", policy.idle_minutes * 60),
        ("Acct-Interim-Interval", interim_minutes_for(policy, backhaul_class) * 60),
        ("Mikrotik-Rate-Limit", granted.rate_limit),
        ("Class", class_),
    ]
    if not granted.throttled and granted.bytes_left is not None:
        attributes.append(("Mikrotik-Total-Limit", granted.bytes_left & 0xFFFFFFFF))
        attributes.append(("Mikrotik-Total-Limit-Gigawords", granted.bytes_left >> 32))
    return tuple(attributes)
