"""One village over a range of local days: daily series, hour × weekday heatmap, session lengths.

Daily and hourly figures come from the rollups; the session-length distribution reads
the raw accounting sessions of the range, which exist only while they are retained
(see `portal.domain.usage.retention`), so `SessionLengths.retained_from` says from when.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal.models import AccountingSession, UsageDaily, UsageHourly

#: Upper bounds (seconds) of the session-length bins; the last bin is open-ended.
LENGTH_BINS = (5 * 60, 15 * 60, 30 * 60, 60 * 60, 2 * 3600)


@dataclass(frozen=True, slots=True)
class DayUsage:
    day: date
    devices: int
    sessions: int
    bytes_down: int
    bytes_up: int
    seconds_online: int

    @property
    def bytes_total(self) -> int:
        return self.bytes_down + self.bytes_up

    @property
    def average_session_seconds(self) -> int:
        """seconds_online / sessions, 0 when there were no sessions."""
        return self.seconds_online // self.sessions if self.sessions else 0


def daily(session: Session, kode: str, start: date, end: date) -> list[DayUsage]:
    """One entry per local day from ``start`` to ``end``; days without a rollup are zero."""
    rows = session.execute(
        sa.select(
            UsageDaily.local_date,
            UsageDaily.devices,
            UsageDaily.sessions,
            UsageDaily.bytes_down,
            UsageDaily.bytes_up,
            UsageDaily.seconds_online,
        ).where(UsageDaily.village_kode == kode, UsageDaily.local_date.between(start, end))
    )
    found = {row[0]: DayUsage(*row) for row in rows}
    days = (start + timedelta(days=n) for n in range((end - start).days + 1))
    return [found.get(day) or DayUsage(day, 0, 0, 0, 0, 0) for day in days]


@dataclass(frozen=True, slots=True)
class Heatmap:
    """Average devices per hour: ``cells[weekday][hour]``, weekday 0 = Monday."""

    cells: list[list[float]]

    @property
    def maximum(self) -> float:
        return max((value for row in self.cells for value in row), default=0.0)


def heatmap(session: Session, kode: str, start: date, end: date) -> Heatmap:
    """Hour-of-day × weekday average of hourly distinct devices over the range.

    Each cell is the sum over the range's days of that weekday divided by how many such
    weekdays the range has, so quiet days count as zeros.
    """
    # extract('dow') is 0 = Sunday on both SQLite (strftime %w) and PostgreSQL.
    dow = sa.extract("dow", UsageHourly.local_date)
    rows = session.execute(
        sa.select(dow, UsageHourly.local_hour, sa.func.sum(UsageHourly.devices))
        .where(UsageHourly.village_kode == kode, UsageHourly.local_date.between(start, end))
        .group_by(dow, UsageHourly.local_hour)
    )
    occurrences = [0] * 7
    for n in range((end - start).days + 1):
        occurrences[(start + timedelta(days=n)).weekday()] += 1
    cells = [[0.0] * 24 for _ in range(7)]
    for sunday_first, hour, total in rows:
        weekday = (int(sunday_first) + 6) % 7
        cells[weekday][int(hour)] = int(total) / occurrences[weekday]
    return Heatmap(cells)


@dataclass(frozen=True, slots=True)
class SessionLengths:
    """How many closed sessions fell in each bin of `LENGTH_BINS` (the last one open-ended)."""

    counts: list[int]
    retained_from: date | None

    @property
    def total(self) -> int:
        return sum(self.counts)


def session_lengths(session: Session, kode: str, start: date, end: date) -> SessionLengths:
    """The distribution of closed sessions' lengths at ``kode`` in the range.

    ``retained_from`` is the oldest local day still held in raw form (None if none is).
    """
    seconds = AccountingSession.session_seconds
    conditions = [(seconds < bound, index) for index, bound in enumerate(LENGTH_BINS)]
    bin_of = sa.case(*conditions, else_=len(LENGTH_BINS))
    rows = session.execute(
        sa.select(bin_of, sa.func.count())
        .where(
            AccountingSession.village_kode == kode,
            AccountingSession.local_date.between(start, end),
            AccountingSession.stopped_at.is_not(None),
        )
        .group_by(bin_of)
    )
    counts = [0] * (len(LENGTH_BINS) + 1)
    for index, count in rows:
        counts[int(index)] = int(count)
    oldest = session.scalar(
        sa.select(sa.func.min(AccountingSession.local_date)).where(
            AccountingSession.village_kode == kode
        )
    )
    return SessionLengths(counts, oldest)
