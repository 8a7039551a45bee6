"""An admin's Putuskan: the order is placed at once, sent on a thread, answered later.

The view places the order (`portal.domain.usage.orders.place`) in its unit of work;
when that commits, the `Dispatcher` sends it on a small thread pool of this worker
and records the router's answer in a unit of work of its own
(`portal.domain.usage.orders.record_answer`), so the request never waits for a router
on a satellite link. The order's page shows it on its way and refreshes itself until
the answer is there: ACK, NAK with its Error-Cause, or no answer (TIMEOUT).

The packet is sent by `radius.orders.send_kick`, the one piece of radius/ the portal is
handed; tests put a fake in ``app.config["WIFIDESA_DISCONNECT"]`` (same keywords).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from enum import Enum
from typing import NamedTuple

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import sessionmaker

from portal.database import db
from portal.domain.usage import orders
from portal.models import AccountingSession, Gateway, RouterOrder
from portal.storage import make_sessionmaker, unit_of_work
from portal.web import context

log = logging.getLogger(__name__)
OUTCOMES = ("ack", "nak", "timeout", "error")
DISPATCHER = "wifidesa.dispatcher"

#: RFC 5176 Error-Cause values an admin may meet, in words.
ERROR_CAUSES = {
    401: "atribut tidak didukung router",
    402: "atribut yang diperlukan tidak ada",
    403: "NAS-Identifier tidak cocok",
    404: "permintaan tidak valid",
    405: "layanan tidak didukung",
    406: "ekstensi tidak didukung",
    407: "nilai atribut tidak valid",
    501: "ditolak secara administratif",
    502: "permintaan tidak dapat diteruskan",
    503: "sesi tidak ditemukan (mungkin sudah terputus)",
    504: "sesi tidak dapat diputus",
    505: "router tidak mendukung permintaan ini",
    506: "sumber daya router habis",
}

Sender = Callable[..., object]


class DisconnectOutcome(NamedTuple):
    outcome: str  # one of OUTCOMES
    reason: str = ""


def normalise(result: object) -> DisconnectOutcome:
    """Reduce a sender's result (object, enum or string) to a DisconnectOutcome."""
    raw = result
    for name in ("outcome", "result", "status", "kind"):
        if hasattr(result, name):
            raw = getattr(result, name)
            break
    if isinstance(raw, Enum):
        raw = raw.name
    outcome = str(raw).lower()
    if outcome not in OUTCOMES:
        return DisconnectOutcome("error", f"jawaban tidak dikenal: {outcome[:40]}")
    cause = getattr(result, "error_cause", None)
    if outcome != "nak":
        return DisconnectOutcome(outcome)
    if isinstance(cause, int):
        return DisconnectOutcome("nak", cause_text(cause))
    return DisconnectOutcome("nak", str(cause or getattr(result, "reason", "") or ""))


def cause_text(cause: int | None) -> str:
    """An Error-Cause as "503: sesi tidak ditemukan …"."""
    if cause is None:
        return "-"
    return f"{cause}: {ERROR_CAUSES.get(cause, 'tidak dikenal')}"


class Dispatcher:
    """Sends placed orders on a small pool of this worker's threads and records answers.

    Created lazily in a worker (gunicorn forks first), so `create_app` starts nothing.
    """

    def __init__(self, sessions: sessionmaker, send: Sender) -> None:
        self._sessions, self.send = sessions, send
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    def submit(self, order_id: int, clock: Callable[[], datetime]) -> Future:
        """Dispatch a committed order on the pool; ``clock`` stamps the answer."""
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="portal-coa")
        return self._pool.submit(self.dispatch, order_id, clock)

    def dispatch(self, order_id: int, clock: Callable[[], datetime]) -> None:
        """Send one placed order and record the answer; never raises (logged)."""
        try:
            with self._sessions() as session:  # read, then let go before the router answers
                placed = session.get(RouterOrder, order_id)
                acct = session.get(AccountingSession, placed.accounting_session_id or 0)
                gateway = session.get(Gateway, placed.gateway_id)
            answer = self._answer(gateway, acct)
            with unit_of_work(self._sessions) as session:
                placed = session.get(RouterOrder, order_id)
                orders.record_answer(session, placed, answer, now=clock())
        except Exception:
            log.exception("order %d could not be dispatched", order_id)

    def _answer(self, gateway: Gateway, acct: AccountingSession | None) -> orders.Answer:
        if acct is None:
            return orders.Answer(orders.ERROR)
        try:
            result = self.send(gateway=gateway, session=acct)
        except orders.OrderRefused:
            return orders.Answer(orders.ERROR)
        except Exception as error:  # a broken socket, a missing client: say so, never hang
            log.warning("disconnect failed: %s", type(error).__name__)
            return orders.Answer(orders.ERROR)
        outcome = normalise(result).outcome
        cause = getattr(result, "error_cause", None) if outcome == orders.NAK else None
        return orders.Answer(outcome, cause if isinstance(cause, int) else None)


def dispatcher() -> Dispatcher:
    """This worker's dispatcher (made on first use)."""
    found = current_app.extensions.get(DISPATCHER)
    send = current_app.config.get("WIFIDESA_DISCONNECT") or _radius_sender()
    if found is None or found.send is not send:
        found = Dispatcher(make_sessionmaker(db.engine), send)
        current_app.extensions[DISPATCHER] = found
    return found


def _radius_sender() -> Sender:
    from radius.orders import send_kick

    return send_kick


def send_after_commit(order_id: int) -> None:
    """Hand the order to the dispatcher once the request's unit of work has committed it
    (a thread must not look for a row that is not there yet)."""
    found, clock = dispatcher(), context.settings().clock
    sa.event.listen(
        db.session(), "after_commit", lambda _: found.submit(order_id, clock), once=True
    )
