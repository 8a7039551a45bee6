"""Database failures in the log: one line when they start, one when writes succeed again.

While the database is down (PostgreSQL stopped, a full disk) every request fails, and
each router retransmits each request several times; a line per failure would bury the
log. `DatabaseOutages` watches an engine's errors and writes the first with its cause,
a reminder at most once per ``remind_after`` seconds while failures go on, and one line
when commits succeed again. A disk that is nearly full flaps: a small commit still fits
between failing ones. So the outage ends only at a success ``settle`` seconds after the
last failure; successes in between keep it open and log nothing. The cause is the
driver's first line ("Connection refused", "database or disk is full"): never the SQL or
its parameters, so no personal data reaches the log.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.engine.interfaces import ExceptionContext

log = logging.getLogger(__name__)
CAUSE_LENGTH = 200


class DatabaseOutages:
    """Rate-limited log of database failures; ``watch`` an engine, call ``working``
    after each successful commit."""

    def __init__(
        self,
        *,
        remind_after: float = 60.0,
        settle: float = 1.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._remind_after, self._settle, self._monotonic = remind_after, settle, monotonic
        self._lock = threading.Lock()
        self._since: float | None = None  # when the current run of failures began
        self._last_failure = self._last_success = 0.0
        self._reminded = 0.0
        self._failures = 0

    @property
    def failing(self) -> bool:
        return self._since is not None

    def watch(self, engine: sa.Engine) -> None:
        """Report every error of ``engine`` (a failed pre-ping is not one: the pool then
        simply reconnects)."""

        def on_error(context: ExceptionContext) -> None:
            if not context.is_pre_ping:
                self.failed(context.original_exception)

        sa.event.listen(engine, "handle_error", on_error)

    def failed(self, error: BaseException) -> None:
        """Note a failure; logs it if it starts a run of failures or a reminder is due."""
        now = self._monotonic()
        with self._lock:
            self._failures += 1
            self._last_failure = now
            if self._since is None:
                self._since = self._reminded = now
                log.error(
                    "database error, requests go unanswered until it clears: %s", _cause(error)
                )
            elif now - self._reminded >= self._remind_after:
                self._reminded = now
                log.error(
                    "database still failing after %.0f s (%d failures): %s",
                    now - self._since,
                    self._failures,
                    _cause(error),
                )

    def working(self) -> None:
        """Note a successful commit; logs the end of a run of failures if the last
        failure is ``settle`` seconds past."""
        if self._since is None:  # the common case, without taking the lock
            return
        now = self._monotonic()
        with self._lock:
            self._last_success = now
            self._end_if_settled(now)

    def tick(self) -> None:
        """Call now and then (the server's upkeep does, every few seconds): logs the end
        of an outage whose last commit succeeded and whose last failure is ``settle``
        seconds past, when no commit has come since to say so."""
        if self._since is None:
            return
        with self._lock:
            self._end_if_settled(self._monotonic())

    def _end_if_settled(self, now: float) -> None:
        if (
            self._since is None
            or self._last_success < self._last_failure
            or now - self._last_failure < self._settle
        ):
            return
        log.warning(
            "database writes succeed again after %.1f s (%d failures in between)",
            now - self._since,
            self._failures,
        )
        self._since, self._failures = None, 0


def _cause(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    first = lines[0] if lines else ""
    return f"{type(error).__name__}: {first[:CAUSE_LENGTH]}"
