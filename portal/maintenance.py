"""The daily upkeep of an installation: apply the retention rules, then refill the
export cache. The RADIUS server runs it from its upkeep thread (`DailyPurge`),
``wifidesa purge`` on demand.

A year's CSV of a thousand villages takes seconds to build from the rollups and a
fraction of a second from cached months (`portal.domain.reporting.exports`). After the
purge, the exact daily export of the last `DAYS` days is built for every province and
regency that has villages; the months that became final are written to the cache, and a
later download for the same area only computes the current month.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from portal.adapters import export_files
from portal.config import Settings
from portal.domain import clock
from portal.domain.access import throttle
from portal.domain.reporting.exports import export_csv
from portal.domain.usage import retention
from portal.models import Village
from portal.storage import unit_of_work

DAYS = 365


def run_purge(factory: sessionmaker, now: datetime, settings: Settings) -> retention.PurgeCounts:
    """Purge in a unit of work of its own, then on SQLite clear the write-ahead log (so
    deleted rows do not linger there); then prune and refill the export cache.

    Raises SQLAlchemyError when the database fails (nothing is committed then), OSError
    when the data folder cannot be written.
    """
    with unit_of_work(factory) as session:
        counts = retention.purge(session, now, settings)
        throttle.forget_idle(session, now=now)
    with factory() as session:
        if session.get_bind().dialect.name == "sqlite":
            session.execute(sa.text("PRAGMA wal_checkpoint(TRUNCATE)"))
    folder = export_files.folder_of(settings.data_dir)
    export_files.prune(folder)
    with factory() as session:
        warm_exports(session, export_files.MonthFiles(folder), now)
    return counts


class DailyPurge:
    """Runs `run_purge` at most once per UTC day: call `tick(now)` from any periodic loop.

    The RADIUS server calls ``tick`` from its housekeeping timer; the first tick purges.
    """

    def __init__(self, factory: sessionmaker, settings: Settings) -> None:
        self.factory, self.settings = factory, settings
        self.last_day: object = None

    def tick(self, now: datetime) -> retention.PurgeCounts | None:
        """Purge when no purge ran yet today (UTC); returns the counts, or None if not due."""
        if self.last_day == now.date():
            return None
        counts = run_purge(self.factory, now, self.settings)
        self.last_day = now.date()
        return counts


def warm_exports(session: Session, months: export_files.MonthFiles, now: datetime) -> int:
    """Build the last year's exact daily export per province and regency; returns how many.

    Raises OSError when the cache folder cannot be written.
    """
    codes = session.scalars(sa.select(sa.func.substr(Village.kode, 1, 5)).distinct()).all()
    scopes = sorted({code[:2] for code in codes} | set(codes))
    # The latest local day anywhere in Indonesia (WIT) ends every export.
    end = clock.local_day(now, "WIT")
    start = end - timedelta(days=DAYS - 1)
    for scope in scopes:
        for _ in export_csv(session, scope, start, end, group="day", months=months, now=now):
            pass
    return len(scopes)
