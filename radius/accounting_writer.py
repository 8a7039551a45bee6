"""Group commit: each socket's thread handles what has arrived in one transaction.

A thread per socket waits for a packet, then takes every packet already queued in the
socket (up to a batch limit), admits them, runs the handlers in one transaction,
commits, and only then replies. Whatever arrives while a batch commits forms the next
one, so at low load a request waits for nobody and at high load one fsync covers
hundreds of requests, with no hand-off between threads on the way.

A reply is sent only after its batch has committed: for accounting this is RFC 2866's
rule (answer only what is durably recorded); for Access-Requests it means a consumed
grant or a bound voucher is on disk before the router lets anyone in. Authentication
and accounting have a thread (and a database connection) each, so an accounting
backlog never delays a login.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from portal.domain.usage.sessions import SessionChanged
from portal.storage import unit_of_work

log = logging.getLogger(__name__)

T = TypeVar("T")
MAX_DATAGRAM = 8192
#: How often a batch whose sessions another server changed meanwhile is done again
#: from what the database holds (`portal.domain.usage.sessions.save_sessions`).
CHANGED_RETRIES = 3


class SocketLoop(Generic[T]):
    """Receives on ``sock`` in batches of at most ``max_batch`` on its own thread.

    ``admit(data, address)`` turns a datagram into a job or None (dropped); it must not
    raise. ``process(jobs)`` commits, then replies; if it raises, the error is logged
    and ``on_failure(jobs)`` runs (the error boundary: the thread survives).
    """

    def __init__(
        self,
        name: str,
        sock: socket.socket,
        admit: Callable[[bytes, tuple], T | None],
        process: Callable[[list[T]], None],
        on_failure: Callable[[list[T]], None],
        *,
        max_batch: int = 256,
    ) -> None:
        self._sock, self._admit, self._process = sock, admit, process
        self._on_failure, self._max_batch = on_failure, max_batch
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Finish the batch in hand, then end the thread."""
        self._stopping.set()
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)  # wakes a blocked recvfrom
        self._thread.join(timeout)

    def _run(self) -> None:
        sock = self._sock
        while not self._stopping.is_set():
            try:
                data, address = sock.recvfrom(MAX_DATAGRAM)
            except OSError:
                continue
            batch: list[T] = []
            while address is not None:  # None: `stop` woke the receive
                job = self._admit(data, address)  # an empty datagram too: counted
                if job is not None:
                    batch.append(job)
                if len(batch) >= self._max_batch:
                    break
                try:
                    data, address = sock.recvfrom(MAX_DATAGRAM, socket.MSG_DONTWAIT)
                except OSError:  # BlockingIOError: nothing more has arrived
                    break
            if batch:
                self.process(batch)

    def process(self, batch: list[T]) -> None:
        """Process admitted jobs; never raises (an error is logged, ``on_failure`` runs)."""
        try:
            self._process(batch)
        except Exception:
            log.exception("a batch of %d requests failed; none answered", len(batch))
            self._on_failure(batch)

    def handle(self, data: bytes, address: tuple) -> None:
        """Admit and process one datagram on the calling thread, as the loop does when
        it is alone in its batch (the fuzz harness's entry point). Never raises."""
        job = self._admit(data, address)
        if job is not None:
            self.process([job])


Handle = Callable[[Session, list, datetime], tuple[list, list]]


def commit_batch(
    sessions: sessionmaker,
    requests: list,
    handle: Handle,
    now: datetime,
    committed: Callable[[], None] = lambda: None,
) -> tuple[list[Any], list[Any]]:
    """Run ``handle(session, requests, now)`` in one transaction and commit it.

    ``handle`` returns one result per request plus a list of follow-ups (enforcements).
    If the transaction fails (the database, or a bug one request triggers), each
    request is retried alone, so one bad request cannot keep the others unanswered.
    A batch whose sessions another server changed between reading and writing
    (`SessionChanged`) is done again from what the database then holds. Returns the
    results (None for a request whose transaction failed: it must not be answered)
    and the follow-ups of committed work. ``committed()`` runs after each successful
    commit. Database errors the engine saw are not logged here: it reports
    them (`radius.outages`), once per outage rather than per request.
    """
    try:
        for attempt in range(CHANGED_RETRIES + 1):
            try:
                with unit_of_work(sessions) as session:
                    results, follow_ups = handle(session, requests, now)
                break
            except SessionChanged:  # another server wrote a session meanwhile: read again
                if attempt == CHANGED_RETRIES:
                    raise
        committed()
        return results, follow_ups
    except Exception as error:  # one bad request must not cost the others their answers
        if len(requests) == 1:
            if not isinstance(error, SQLAlchemyError):
                log.exception("a request failed; it is not answered")
            elif not isinstance(error, DBAPIError):  # not seen by the engine: say it here
                log.warning("a request could not be stored (%s)", type(error).__name__)
            return [None], []
    results, follow_ups = [], []
    for request in requests:
        single, extra = commit_batch(sessions, [request], handle, now, committed)
        results.extend(single)
        follow_ups.extend(extra)
    return results, follow_ups
