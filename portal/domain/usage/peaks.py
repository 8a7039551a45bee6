"""The peak of concurrent devices per village hour and day, which only ever grows.

The count is of distinct devices with an open session right now; the comparison
happens in SQL, so concurrent RADIUS processes cannot lower a stored peak.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from portal.domain import clock
from portal.domain.batching import dialect_of
from portal.domain.usage.rollups import COUNTERS
from portal.models import AccountingSession, UsageDaily, UsageHourly


def record_peaks(session: Session, timezones: dict[str, str], now: datetime) -> None:
    """Raise each village's peak of concurrent devices for its current local hour and day.

    ``timezones`` maps the villages just touched to their zone. The count is of distinct
    devices with an open session right now; the stored peak only ever grows, and the
    comparison happens in SQL so concurrent RADIUS processes cannot lower it.
    """
    if not timezones:
        return
    open_devices = session.execute(
        sa.select(
            AccountingSession.village_kode, sa.func.count(sa.distinct(AccountingSession.device))
        )
        .where(
            AccountingSession.village_kode.in_(list(timezones)),
            AccountingSession.stopped_at.is_(None),
        )
        .group_by(AccountingSession.village_kode)
    ).all()
    hourly: list[dict] = []
    daily: list[dict] = []
    for village_kode, count in open_devices:
        local = clock.to_local(now, timezones[village_kode])
        key = {"village_kode": village_kode, "local_date": local.date(), "peak_concurrent": count}
        hourly.append({**key, "local_hour": local.hour, **dict.fromkeys(COUNTERS, 0)})
        daily.append({**key, **dict.fromkeys(COUNTERS, 0)})
    _raise_peak(
        session, UsageHourly.__table__, ("village_kode", "local_date", "local_hour"), hourly
    )
    _raise_peak(session, UsageDaily.__table__, ("village_kode", "local_date"), daily)


def _raise_peak(session: Session, table: sa.Table, keys: tuple[str, ...], rows: list[dict]):
    if not rows:
        return
    dialect = dialect_of(session)
    session.execute(_raise_peak_statement(dialect, table, keys), rows)


@lru_cache(maxsize=8)
def _raise_peak_statement(dialect: str, table: sa.Table, keys: tuple[str, ...]) -> sa.Insert:
    # Built once: a new statement per accounting batch kept its `excluded` columns
    # alive in SQLAlchemy (about 2 KB a batch, without end: found by fuzz/radius_fuzz.py).
    stmt = (postgresql if dialect == "postgresql" else sqlite).insert(table)
    stored, offered = table.c.peak_concurrent, stmt.excluded.peak_concurrent
    return stmt.on_conflict_do_update(
        index_elements=list(keys),
        set_={"peak_concurrent": sa.case((offered > stored, offered), else_=stored)},
    )
