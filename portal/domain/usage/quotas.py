"""Fair-use quotas: what a device may still use today, and when that resets.

A device's usage is counted per village per local day (`DeviceDay`). The limits come
from the village's effective policy, or, for a voucher holder, from the voucher's
batch, which replaces the daily policy (and may add a total over its validity).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal.domain import clock
from portal.domain.batching import dialect_of, one_of, values_for
from portal.domain.network.policies import EffectivePolicy
from portal.models import DeviceDay, Voucher


@dataclass(frozen=True)
class Limits:
    """The data and time limits that apply (None = unlimited)."""

    daily_bytes: int | None
    daily_seconds: int | None
    total_bytes: int | None = None
    total_seconds: int | None = None


@dataclass(frozen=True)
class QuotaState:
    """What is left for a device now; None means no limit of that kind."""

    bytes_left: int | None
    seconds_left: int | None
    #: The naive UTC instant the daily quota resets (the village's next local midnight).
    resets_at: datetime

    @property
    def exhausted(self) -> bool:
        return (self.bytes_left is not None and self.bytes_left <= 0) or (
            self.seconds_left is not None and self.seconds_left <= 0
        )


class QuotaExhausted(Exception):
    """The device has used its allowance; ``message`` is the text for the resident."""

    def __init__(self, message: str, state: QuotaState) -> None:
        super().__init__(message)
        self.message = message
        self.state = state


def limits_for(policy: EffectivePolicy, voucher: Voucher | None = None) -> Limits:
    """The limits of a device: the policy's, or its voucher's, which replace them."""
    if voucher is None:
        return Limits(policy.daily_bytes, policy.daily_seconds)
    batch = voucher.batch
    return Limits(
        daily_bytes=batch.daily_mb * 1_000_000 if batch.daily_mb else None,
        daily_seconds=batch.daily_minutes * 60 if batch.daily_minutes else None,
        total_bytes=batch.total_mb * 1_000_000 if batch.total_mb else None,
        total_seconds=batch.total_minutes * 60 if batch.total_minutes else None,
    )


def usage_on(session: Session, *, village_kode: str, day: date, device: str) -> DeviceDay | None:
    """The device's counters for one local day at one village, if it was seen."""
    return session.get(DeviceDay, (village_kode, day, device))


@dataclass
class DayUsage:
    """A device-day row read without the ORM (see `day_usage`)."""

    bytes_total: int
    seconds_total: int
    terms_version_id: int | None
    voucher_id: int | None


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


def _left(limit: int | None, used: int) -> int | None:
    return None if limit is None else max(0, limit - used)


def _smallest(*values: int | None) -> int | None:
    known = [value for value in values if value is not None]
    return min(known) if known else None


def remaining(
    limits: Limits,
    *,
    used_bytes: int,
    used_seconds: int,
    voucher: Voucher | None,
    now: datetime,
    timezone: str,
) -> QuotaState:
    """What is left today given today's usage (and the voucher's lifetime usage)."""
    bytes_left = _smallest(
        _left(limits.daily_bytes, used_bytes),
        _left(limits.total_bytes, voucher.used_bytes if voucher else 0),
    )
    seconds_left = _smallest(
        _left(limits.daily_seconds, used_seconds),
        _left(limits.total_seconds, voucher.used_seconds if voucher else 0),
    )
    resets_at = clock.day_end(clock.local_day(now, timezone), timezone)
    return QuotaState(bytes_left, seconds_left, resets_at)


def state_for_device(
    session: Session,
    *,
    policy: EffectivePolicy,
    village_kode: str,
    timezone: str,
    day: date,
    device: str,
    now: datetime,
    voucher: Voucher | None = None,
) -> QuotaState:
    """Today's quota state of a device, reading its `DeviceDay` counters."""
    usage = usage_on(session, village_kode=village_kode, day=day, device=device)
    return remaining(
        limits_for(policy, voucher),
        used_bytes=usage.bytes_total if usage else 0,
        used_seconds=usage.seconds_total if usage else 0,
        voucher=voucher,
        now=now,
        timezone=timezone,
    )


def exhausted_message(state: QuotaState, timezone: str) -> str:
    """The resident's explanation, e.g. "… Coba lagi besok pukul 00.00 WITA."."""
    reset_local = clock.to_local(state.resets_at, timezone)
    return f"Kuota harian Anda sudah habis. Coba lagi besok pukul {reset_local:%H.%M} {timezone}."


def add_usage(
    session: Session,
    *,
    village_kode: str,
    day: date,
    device: str,
    bytes_delta: int,
    seconds_delta: int,
    new_session: bool = False,
) -> DeviceDay:
    """Add usage to a device's day counters (creating the row) and return it."""
    usage = usage_on(session, village_kode=village_kode, day=day, device=device)
    if usage is None:
        usage = DeviceDay(
            village_kode=village_kode,
            local_date=day,
            device=device,
            bytes_total=0,
            seconds_total=0,
            sessions=0,
        )
        session.add(usage)
    usage.bytes_total += max(0, bytes_delta)
    usage.seconds_total += max(0, seconds_delta)
    if new_session:
        usage.sessions += 1
    return usage


__all__ = [
    "Limits",
    "QuotaExhausted",
    "QuotaState",
    "add_usage",
    "day_usage",
    "exhausted_message",
    "limits_for",
    "remaining",
    "state_for_device",
    "usage_on",
]
