"""The RADIUS server's background upkeep, on a thread of its own.

Every second (SQLite) or every five (PostgreSQL) it lets the outage log note a
database that works again; on SQLite it runs a passive WAL checkpoint, which the packet
threads never do (a checkpoint inside a commit fsyncs the database file while routers
wait). Every ``sweep_interval`` seconds it closes sessions that missed three interim
updates, and once a day it applies the retention rules (`portal.domain.usage.retention`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import sessionmaker

from portal.config import Settings
from portal.domain.usage.closing import close_stale_sessions
from portal.maintenance import DailyPurge
from portal.storage import unit_of_work
from radius.outages import DatabaseOutages

log = logging.getLogger(__name__)
CHECKPOINT_INTERVAL = 1.0
ROUND_WITHOUT_CHECKPOINTS = 5.0


class Upkeep:
    """The upkeep thread; ``start`` it, ``stop`` it (waits for the round in hand)."""

    def __init__(
        self,
        engine: sa.Engine,
        sessions: sessionmaker,
        settings: Settings,
        outages: DatabaseOutages,
        *,
        clock: Callable[[], datetime],
        sweep_interval: float,
    ) -> None:
        self._engine, self._sessions, self._outages = engine, sessions, outages
        self._clock, self._sweep_interval = clock, sweep_interval
        self._checkpoints = settings.is_sqlite
        self._daily_purge = DailyPurge(sessions, settings)
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="radius-upkeep")

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stopping.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        interval = CHECKPOINT_INTERVAL if self._checkpoints else ROUND_WITHOUT_CHECKPOINTS
        next_sweep = time.monotonic() + self._sweep_interval
        while not self._stopping.wait(interval):
            self._outages.tick()
            try:
                if self._checkpoints:
                    with self._engine.connect() as connection:
                        connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
                if time.monotonic() >= next_sweep:
                    next_sweep = time.monotonic() + self._sweep_interval
                    self._sweep()
            except SQLAlchemyError:
                pass  # reported by the outage log; the next round retries
            except OSError:
                log.exception("database upkeep failed; will retry")

    def _sweep(self) -> None:
        with unit_of_work(self._sessions) as session:
            closed = close_stale_sessions(session, now=self._clock())
        if closed:
            log.info("closed %d stale sessions", closed)
        if self._daily_purge.tick(self._clock()) is not None:
            log.info("daily retention purge done")
