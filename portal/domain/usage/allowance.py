"""What a device may still use today at a village: the one place that works it out.

A device's usage is counted per village per local day (`DeviceDay`). The limits come
from the village's effective policy or, for a voucher holder, from the voucher's batch,
which replaces the daily policy (and may add a total over its validity). Each limit is
data: what it counts, how much, and what is used of it; the allowance takes the smallest
remainder, and the window resets at the village's local midnight.

The splash, the status page, the RADIUS reply, mid-session enforcement and the
live-devices page all read `allowance` (`allowances` for several devices at once; on
the RADIUS batch path, which has read the counters already, `compute`).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime
from functools import lru_cache
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal.domain import clock
from portal.domain.batching import dialect_of, one_of, values_for
from portal.domain.network.policies import EffectivePolicy, effective_policy
from portal.models import DeviceDay, Voucher

POLICY, VOUCHER = "policy", "voucher"


class Limit(NamedTuple):
    """One limit: ``kind`` is "bytes" or "seconds", ``window`` "day" or "voucher";
    ``left`` is what remains of ``amount`` once ``used`` (never below zero)."""

    kind: str
    window: str
    amount: int
    used: int
    left: int


def _limit(kind: str, window: str, amount: int, used: int) -> Limit:
    return Limit(kind, window, amount, used, amount - used if used < amount else 0)


def _spent(bytes_left: int | None, seconds_left: int | None) -> bool:
    """Whether nothing is left of a limit (None: no limit of that kind)."""
    return (bytes_left is not None and bytes_left <= 0) or (
        seconds_left is not None and seconds_left <= 0
    )


class Allowance(NamedTuple):
    """What a device may still use now; None means no limit of that kind.

    (A named tuple: one is built for every Access-Request and every accounting batch's
    device, and a frozen dataclass costs several times more to build.)

    ``bytes_limit`` and ``seconds_limit`` are the limits the remainders are left of (the
    one that binds: a voucher's total when that is nearer than its daily amount).
    ``throttled``: spent, and the policy lets the device on at ``rate_limit`` anyway.
    """

    bytes_left: int | None
    seconds_left: int | None
    bytes_limit: int | None
    seconds_limit: int | None
    #: The naive UTC instant the daily quota resets (the village's next local midnight).
    resets_at: datetime
    #: "policy", or "voucher" when a voucher's allowance replaces the policy.
    source: str
    voucher_id: int | None
    #: When the voucher stops working (naive UTC), for a voucher holder.
    voucher_expires_at: datetime | None
    #: "reject" or "throttle": what happens once it is spent.
    on_exhausted: str
    #: The Mikrotik-Rate-Limit that applies now (the throttle rate once spent).
    rate_limit: str
    policy: EffectivePolicy

    @property
    def exhausted(self) -> bool:
        return _spent(self.bytes_left, self.seconds_left)

    @property
    def throttled(self) -> bool:
        return self.exhausted and self.on_exhausted == "throttle"

    @property
    def refused(self) -> bool:
        """Spent, and the policy refuses a spent device."""
        return self.exhausted and self.on_exhausted != "throttle"


class DayUsage(NamedTuple):
    """A device's counters for one local day, as read on the RADIUS batch path."""

    bytes_total: int = 0
    seconds_total: int = 0
    terms_version_id: int | None = None
    voucher_id: int | None = None


NO_USAGE = DayUsage()


def limits(
    policy: EffectivePolicy, voucher: Voucher | None, *, used_bytes: int, used_seconds: int
) -> list[Limit]:
    """The limits of a device with today's usage: the policy's, or its voucher's, which
    replace them (a voucher may also have totals over its validity)."""
    if voucher is None:
        found = []
        if policy.daily_bytes:
            found.append(_limit("bytes", "day", policy.daily_bytes, used_bytes))
        if policy.daily_seconds:
            found.append(_limit("seconds", "day", policy.daily_seconds, used_seconds))
        return found
    batch = voucher.batch
    found = []
    for kind, amount, used in (
        ("bytes", (batch.daily_mb or 0) * 1_000_000, used_bytes),
        ("seconds", (batch.daily_minutes or 0) * 60, used_seconds),
    ):
        if amount:
            found.append(_limit(kind, "day", amount, used))
    return found + voucher_totals(voucher)


def voucher_totals(voucher: Voucher) -> list[Limit]:
    """The limits of a voucher over its whole validity (its batch's totals, if any)."""
    batch = voucher.batch
    found = []
    for kind, amount, used in (
        ("bytes", (batch.total_mb or 0) * 1_000_000, voucher.used_bytes),
        ("seconds", (batch.total_minutes or 0) * 60, voucher.used_seconds),
    ):
        if amount:
            found.append(_limit(kind, VOUCHER, amount, used))
    return found


def voucher_used_up(voucher: Voucher) -> bool:
    """Whether a voucher's totals over its validity are spent (status "used-up")."""
    return any(limit.left <= 0 for limit in voucher_totals(voucher))


def compute(
    policy: EffectivePolicy,
    usage: DayUsage,
    voucher: Voucher | None,
    *,
    now: datetime,
    timezone: str,
) -> Allowance:
    """The allowance from counters already read: ``usage`` of the device's day and its
    ``voucher`` (the one its day row names, or the one it just logged in with)."""
    found = limits(policy, voucher, used_bytes=usage.bytes_total, used_seconds=usage.seconds_total)
    # The binding limit of each kind is the one with the least left.
    data = time = None
    for limit in found:
        if limit.kind == "bytes":
            if data is None or limit.left < data.left:
                data = limit
        elif time is None or limit.left < time.left:
            time = limit
    bytes_left = data.left if data else None
    seconds_left = time.left if time else None
    throttle = _spent(bytes_left, seconds_left) and policy.on_exhausted == "throttle"
    return Allowance(
        bytes_left=bytes_left,
        seconds_left=seconds_left,
        bytes_limit=data.amount if data else None,
        seconds_limit=time.amount if time else None,
        resets_at=clock.day_end(clock.local_day(now, timezone), timezone),
        source=VOUCHER if voucher is not None else POLICY,
        voucher_id=voucher.id if voucher is not None else None,
        voucher_expires_at=voucher.batch.expires_at if voucher is not None else None,
        on_exhausted=policy.on_exhausted,
        rate_limit=policy.throttle_rate if throttle else policy.rate_limit,
        policy=policy,
    )


def allowance(
    session: Session,
    *,
    village_kode: str,
    timezone: str,
    device: str,
    now: datetime,
    policy: EffectivePolicy | None = None,
) -> Allowance:
    """What ``device`` (its pseudonym of today) may still use at the village now.

    Reads its day counters and the voucher its day row names (two small queries);
    ``policy`` saves reading the village's policy when the caller holds it already.
    """
    return allowances(
        session, village_kode=village_kode, timezone=timezone, devices=[device], now=now,
        policy=policy,
    )[device]  # fmt: skip


def allowances(
    session: Session,
    *,
    village_kode: str,
    timezone: str,
    devices: Collection[str],
    now: datetime,
    policy: EffectivePolicy | None = None,
) -> dict[str, Allowance]:
    """`allowance` of each of ``devices`` at one village, keyed by device: their day
    counters in one query, then each voucher held (for the live-devices page)."""
    day = clock.local_day(now, timezone)
    usage = day_usage(session, [(village_kode, day, device) for device in devices])
    policy = policy or effective_policy(session, village_kode)
    found = {}
    for device in devices:
        counters = usage.get((village_kode, day, device), NO_USAGE)
        voucher = None
        if counters.voucher_id is not None:
            voucher = session.get(Voucher, counters.voucher_id)
        found[device] = compute(policy, counters, voucher, now=now, timezone=timezone)
    return found


@lru_cache(maxsize=4)
def _day_usage_statement(dialect: str) -> sa.Select:
    table = DeviceDay.__table__
    return sa.select(
        table.c.device,
        table.c.bytes_total,
        table.c.seconds_total,
        table.c.terms_version_id,
        table.c.voucher_id,
    ).where(
        table.c.village_kode == sa.bindparam("village"),
        table.c.local_date == sa.bindparam("day"),
        one_of(dialect, table.c.device, "devices"),
    )


def day_usage(
    session: Session, keys: list[tuple[str, date, str]]
) -> dict[tuple[str, date, str], DayUsage]:
    """The stored counters for (village, local day, device) keys, one query per village-day.

    (One ``device IN (...)`` per village and day uses the primary key's index on both
    backends, where a row-value IN makes SQLite scan the table.) Missing keys are absent.
    """
    groups: dict[tuple[str, date], set[str]] = {}
    for village_kode, day, device in keys:
        groups.setdefault((village_kode, day), set()).add(device)
    dialect = dialect_of(session)
    statement = _day_usage_statement(dialect)
    found: dict[tuple[str, date, str], DayUsage] = {}
    for (village_kode, day), devices in groups.items():
        rows = session.execute(
            statement,
            {"village": village_kode, "day": day, "devices": values_for(dialect, devices)},
        )
        for device, *values in rows:
            found[(village_kode, day, device)] = DayUsage(*values)
    return found
