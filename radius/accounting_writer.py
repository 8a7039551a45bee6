"""Group commit: one worker thread runs queued requests in batches, one transaction each.

Whatever arrived while the previous batch was committing forms the next batch, so at
low load a request waits for nobody and at high load one fsync covers hundreds of
requests. A reply is sent only after its batch has committed: for accounting this is
RFC 2866's rule (answer only what is durably recorded); for Access-Requests it means
a consumed grant or a bound voucher is on disk before the router lets anyone in.

Accounting and authentication get a writer each (and their own database connection),
so an accounting backlog never delays a login.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)

T = TypeVar("T")
_STOP = object()


class GroupCommitter(Generic[T]):
    """Feeds ``process`` lists of at most ``max_batch`` queued items, on its own thread.

    ``process`` must commit before replying; an exception it raises is logged and
    ``on_failure`` is called with the batch (the error boundary: the thread survives).
    """

    def __init__(
        self,
        name: str,
        process: Callable[[list[T]], None],
        on_failure: Callable[[list[T]], None],
        *,
        max_batch: int = 256,
    ) -> None:
        self._process = process
        self._on_failure = on_failure
        self._max_batch = max_batch
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def submit(self, item: T) -> None:
        self._queue.put(item)

    def stop(self, timeout: float = 10.0) -> None:
        """Finish what is queued, then end the thread."""
        self._queue.put(_STOP)
        self._thread.join(timeout)

    def backlog(self) -> int:
        return self._queue.qsize()

    def _run(self) -> None:
        stopping = False
        while not stopping:
            item = self._queue.get()
            if item is _STOP:
                return
            batch = [item]
            while len(batch) < self._max_batch:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is _STOP:
                    stopping = True
                    break
                batch.append(item)
            try:
                self._process(batch)
            except Exception:
                log.exception("a batch of %d requests failed; none answered", len(batch))
                self._on_failure(batch)


Handle = Callable[[Session, list, datetime], tuple[list, list]]


def commit_batch(
    sessions: sessionmaker, requests: list, handle: Handle, now: datetime
) -> tuple[list[Any], list[Any]]:
    """Run ``handle(session, requests, now)`` in one transaction and commit it.

    ``handle`` returns one result per request plus a list of follow-ups (enforcements).
    If the transaction fails, each request is retried alone, so one bad request cannot
    keep the others unanswered. Returns the results (None for a request whose
    transaction failed: it must not be answered) and the follow-ups of committed work.
    """
    try:
        with sessions() as session:
            results, follow_ups = handle(session, requests, now)
            session.commit()
        return results, follow_ups
    except SQLAlchemyError:
        if len(requests) == 1:
            log.warning("a request could not be stored; it is not answered")
            return [None], []
    results, follow_ups = [], []
    for request in requests:
        single, extra = commit_batch(sessions, [request], handle, now)
        results.extend(single)
        follow_ups.extend(extra)
    return results, follow_ups
