"""Local time of a village: which quota day it is and when that day ends.

Domain code never reads the clock: callers pass ``now`` as a naive UTC datetime (the
form the database stores), and these helpers turn it into the village's own calendar.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

#: Indonesia's three time zones by the name residents know them by.
TIMEZONES = {"WIB": "Asia/Jakarta", "WITA": "Asia/Makassar", "WIT": "Asia/Jayapura"}


def zone(label: str) -> ZoneInfo:
    """The IANA zone for WIB, WITA or WIT. Raises KeyError for anything else."""
    return ZoneInfo(TIMEZONES[label])


# The pure functions below are cached: a RADIUS batch asks them the same question (one
# ``now``, one zone) for every packet in it.


@lru_cache(maxsize=1024)
def to_local(now: datetime, label: str) -> datetime:
    """A naive UTC instant as an aware local datetime in the given zone."""
    return now.replace(tzinfo=UTC).astimezone(zone(label))


@lru_cache(maxsize=1024)
def local_day(now: datetime, label: str) -> date:
    """The village's calendar day (the quota window) at the instant ``now``."""
    return to_local(now, label).date()


@lru_cache(maxsize=1024)
def day_end(day: date, label: str) -> datetime:
    """The naive UTC instant at which the given local day ends (the next local midnight)."""
    midnight = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone(label))
    return midnight.astimezone(UTC).replace(tzinfo=None)


@lru_cache(maxsize=1024)
def seconds_to_midnight(now: datetime, label: str) -> int:
    """Whole seconds from ``now`` until the local day ends (at least 1)."""
    remaining = day_end(local_day(now, label), label) - now
    return max(1, int(remaining.total_seconds()))
