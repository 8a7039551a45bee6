"""Fair-use policy: regency defaults, village overrides, and the effective result.

A stored `Policy` row leaves a field NULL to inherit it: a village override falls back
to its regency's default, which falls back to `BUILT_IN`. For data and time, 0 means
unlimited.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal.domain import audit
from portal.domain.errors import DomainError
from portal.models import Policy

ON_EXHAUSTED = ("reject", "throttle")

# rx[/tx] [burst-rx[/burst-tx] [threshold-rx[/tx] [burst-time-rx[/tx] [priority
# [min-rx[/tx]]]]]] with k/M suffixes, as RouterOS writes Mikrotik-Rate-Limit.
_RATE = r"\d+(?:\.\d+)?[kKmMgG]?"
_PAIR = rf"{_RATE}(?:/{_RATE})?"
_TIME = r"\d+[s]?(?:/\d+[s]?)?"
_RATE_LIMIT = re.compile(
    rf"^{_PAIR}(?: {_PAIR}(?: {_PAIR}(?: {_TIME}(?: [1-8](?: {_PAIR})?)?)?)?)?$"
)


class InvalidPolicy(DomainError):
    """A policy value is out of range or not in MikroTik's syntax; ``field`` names it
    (None when the request as a whole is wrong)."""

    def __init__(
        self, message: str, field: str | None = None, *, code: str | None = None, **params: object
    ) -> None:
        super().__init__(message, code=code, **params)
        self.field = field


@dataclass(frozen=True)
class EffectivePolicy:
    """The limits that apply to one village, every field resolved."""

    daily_mb: int = 1024
    daily_minutes: int = 240
    rate_limit: str = "2M/4M"
    max_session_minutes: int = 120
    idle_minutes: int = 10
    interim_minutes: int = 5
    on_exhausted: str = "reject"
    throttle_rate: str = "256k/512k"

    @property
    def daily_bytes(self) -> int | None:
        """The daily data allowance in bytes, None when unlimited."""
        return self.daily_mb * 1_000_000 if self.daily_mb else None

    @property
    def daily_seconds(self) -> int | None:
        """The daily time allowance in seconds, None when unlimited."""
        return self.daily_minutes * 60 if self.daily_minutes else None


BUILT_IN = EffectivePolicy()
POLICY_FIELDS = tuple(f.name for f in fields(EffectivePolicy))


def validate_rate_limit(text: str) -> str:
    """Return the rate limit unchanged when it is valid Mikrotik-Rate-Limit syntax.

    Raises InvalidPolicy otherwise (e.g. "2M/4M", "512k", "1M/2M 2M/4M 1M/2M 10/10").
    """
    value = text.strip()
    if not _RATE_LIMIT.match(value):
        raise InvalidPolicy(
            f"{text!r} is not a MikroTik rate limit (e.g. 2M/4M)",
            "rate_limit",
            code="rate-limit-invalid",
            value=text,
        )
    return value


def _validated(values: dict[str, object]) -> dict[str, object]:
    unknown = set(values) - set(POLICY_FIELDS)
    if unknown:
        raise InvalidPolicy(
            f"unknown policy fields: {', '.join(sorted(unknown))}",
            code="policy-field-unknown",
            fields=", ".join(sorted(unknown)),
        )
    for name in ("daily_mb", "daily_minutes"):
        value = values.get(name)
        if value is not None and (not isinstance(value, int) or value < 0):
            raise InvalidPolicy(f"{name} must be 0 (unlimited) or more", name, code="negative")
    for name in ("max_session_minutes", "idle_minutes", "interim_minutes"):
        value = values.get(name)
        if value is not None and (not isinstance(value, int) or value <= 0):
            raise InvalidPolicy(f"{name} must be at least 1", name, code="below-one")
    for name in ("rate_limit", "throttle_rate"):
        value = values.get(name)
        if value is not None:
            try:
                values[name] = validate_rate_limit(str(value))
            except InvalidPolicy as error:
                raise InvalidPolicy(str(error), name, code=error.code, **error.params) from None
    choice = values.get("on_exhausted")
    if choice is not None and choice not in ON_EXHAUSTED:
        raise InvalidPolicy(
            "on_exhausted must be 'reject' or 'throttle'",
            "on_exhausted",
            code="on-exhausted-unknown",
        )
    return values


def set_policy(
    session: Session,
    scope_kode: str,
    *,
    now: datetime,
    actor: str = "system",
    actor_id: int | None = None,
    **values: object,
) -> Policy:
    """Create or update the policy of a regency (5-char code) or village (13-char code).

    Only the given, non-None values change; the others keep inheriting. Only flushes,
    and audits as ``actor``. Raises InvalidPolicy when a value is invalid (nothing is
    written then).
    """
    changes = _validated({k: v for k, v in values.items() if v is not None})
    if len(scope_kode) not in (5, 13):
        raise InvalidPolicy(
            f"{scope_kode} is neither a regency nor a village code",
            code="policy-scope-invalid",
            value=scope_kode,
        )
    policy = session.scalar(sa.select(Policy).where(Policy.scope_kode == scope_kode))
    if policy is None:
        policy = Policy(scope_kode=scope_kode, updated_at=now)
        session.add(policy)
    for name, value in changes.items():
        setattr(policy, name, value)
    policy.updated_at = now
    session.flush()
    audit.record(
        session, now=now, actor=actor, actor_id=actor_id, action="policy.set",
        object_type="policy", object_id=scope_kode, scope_kode=scope_kode,
        detail=", ".join(f"{name}={value}" for name, value in sorted(changes.items())),
    )  # fmt: skip
    return policy


#: Where an effective value comes from, most specific first.
FROM_VILLAGE, FROM_REGENCY, FROM_BUILT_IN = "village", "regency", "built-in"


@dataclass(frozen=True)
class ResolvedPolicy:
    """A village's effective policy and, per field, where its value comes from
    (`FROM_VILLAGE`, `FROM_REGENCY` or `FROM_BUILT_IN`)."""

    policy: EffectivePolicy
    sources: dict[str, str]


def resolve_policy(session: Session, village_kode: str) -> ResolvedPolicy:
    """The limits for a village, each from its override, else its regency's default,
    else the built-in value; and which of the three each came from."""
    return resolve_policies(session, [village_kode])[village_kode]


def resolve_policies(session: Session, village_kodes: list[str]) -> dict[str, ResolvedPolicy]:
    """`resolve_policy` for many villages with one query (a province's overview page)."""
    scopes = set(village_kodes) | {kode[:5] for kode in village_kodes}
    rows: dict[str, Policy] = {}
    for chunk in _chunks(sorted(scopes), 500):
        rows.update(
            (row.scope_kode, row)
            for row in session.scalars(sa.select(Policy).where(Policy.scope_kode.in_(chunk)))
        )
    return {kode: _resolve(kode, rows) for kode in village_kodes}


def _chunks(items: list[str], size: int) -> list[list[str]]:
    return [items[start : start + size] for start in range(0, len(items), size)]


def _resolve(village_kode: str, rows: dict[str, Policy]) -> ResolvedPolicy:
    result, sources = BUILT_IN, dict.fromkeys(POLICY_FIELDS, FROM_BUILT_IN)
    # The regency first, then the village overrides it.
    for scope, source in ((village_kode[:5], FROM_REGENCY), (village_kode, FROM_VILLAGE)):
        row = rows.get(scope)
        if row is None:
            continue
        overrides = {
            name: getattr(row, name) for name in POLICY_FIELDS if getattr(row, name) is not None
        }
        result = replace(result, **overrides)
        sources.update(dict.fromkeys(overrides, source))
    return ResolvedPolicy(result, sources)


def effective_policy(session: Session, village_kode: str) -> EffectivePolicy:
    """The resolved limits for a village: its override, then its regency, then built-ins."""
    return resolve_policy(session, village_kode).policy


def stored_policy(session: Session, scope_kode: str) -> dict[str, object]:
    """The values stored for a regency or village (None: inherited), every field named."""
    row = session.scalar(sa.select(Policy).where(Policy.scope_kode == scope_kode))
    return {name: getattr(row, name) if row is not None else None for name in POLICY_FIELDS}


def replace_policy(
    session: Session,
    scope_kode: str,
    values: dict[str, object],
    *,
    now: datetime,
    actor: str = "system",
    actor_id: int | None = None,
) -> Policy | None:
    """Make the regency's or village's stored policy exactly ``values`` (a missing or None
    field inherits again); with nothing left the row is removed and None returned.

    Only flushes, audits as ``actor``. Raises InvalidPolicy (nothing changes then). The
    RADIUS server applies a change to the next login (`PolicyCache` within its ttl);
    sessions already open keep the limits they were given.
    """
    if len(scope_kode) not in (5, 13):
        raise InvalidPolicy(
            f"{scope_kode} is neither a regency nor a village code",
            code="policy-scope-invalid",
            value=scope_kode,
        )
    changes = _validated({k: v for k, v in values.items() if v is not None})
    policy = session.scalar(sa.select(Policy).where(Policy.scope_kode == scope_kode))
    if not changes:
        if policy is not None:
            session.delete(policy)
    else:
        if policy is None:
            policy = Policy(scope_kode=scope_kode, updated_at=now)
            session.add(policy)
        for name in POLICY_FIELDS:
            setattr(policy, name, changes.get(name))
        policy.updated_at = now
    session.flush()
    audit.record(
        session, now=now, actor=actor, actor_id=actor_id, action="policy.set",
        object_type="policy", object_id=scope_kode, scope_kode=scope_kode,
        detail=", ".join(f"{name}={value}" for name, value in sorted(changes.items()))
        or "inherit all",
    )  # fmt: skip
    return policy if changes else None


class PolicyCache:
    """Villages' effective policies, each re-read at most every ``ttl`` seconds.

    For processes that decide thousands of requests a second (the RADIUS server): a
    policy changed in the console takes effect within ``ttl`` seconds there.
    """

    def __init__(self, ttl: float = 10.0, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.ttl, self._monotonic = ttl, monotonic
        self._entries: dict[str, tuple[EffectivePolicy, float]] = {}
        self._lock = threading.Lock()

    def get(self, session: Session, village_kode: str) -> EffectivePolicy:
        """The village's effective policy, from the cache when it is fresh enough."""
        cached = self._entries.get(village_kode)
        moment = self._monotonic()
        if cached is not None and cached[1] > moment:
            return cached[0]
        policy = effective_policy(session, village_kode)
        with self._lock:
            if len(self._entries) > 10_000:
                self._entries.clear()
            self._entries[village_kode] = (policy, moment + self.ttl)
        return policy


#: The shortest interim-update interval per backhaul class: every Interim-Update
#: crosses the link, so a 3-4 Mbps satellite link with 0.7 s round trips gets fewer.
MIN_INTERIM_MINUTES = {"satellite": 15, "radio": 10, "fibre": 0}


def interim_minutes_for(policy: EffectivePolicy, backhaul_class: str | None) -> int:
    """The router's interim-update interval: the policy's, lengthened to the backhaul
    class's minimum (`MIN_INTERIM_MINUTES`; an unknown class keeps the policy's)."""
    return max(policy.interim_minutes, MIN_INTERIM_MINUTES.get(backhaul_class or "", 0))
