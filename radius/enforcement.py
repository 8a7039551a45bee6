"""Mid-session quota enforcement: the domain's orders sent to the session's gateway.

Accounting batches return orders for sessions whose device spent its allowance
(`portal.domain.usage.orders`); this sends each, a Disconnect-Request (policy
``reject``) or a CoA with the throttle Mikrotik-Rate-Limit (policy ``throttle``), on a
small thread pool, so a router that does not answer never holds up accounting. Every
result is counted by outcome.

A session is enforced once: an ACK ends the matter, and a NAK is the router's own
answer (it does not know the session, say), which asking again would not change. A
TIMEOUT is different: the request or its answer was lost, so the next Interim-Update
that still shows the quota spent tries again.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor

from pyrad.dictionary import Dictionary

from portal.domain.usage.orders import DISCONNECT, Order
from radius import coa, orders
from radius.clients import ClientCache
from radius.metrics import Metrics

log = logging.getLogger(__name__)
LOG_INTERVAL = 1.0  # seconds between log lines about one gateway's enforcements


class Enforcer:
    """Sends each session's enforcement once per process, and again after a TIMEOUT
    (``timeout`` and ``retries`` per request, as in `radius.coa.send`)."""

    def __init__(
        self,
        clients: ClientCache,
        dictionary: Dictionary,
        metrics: Metrics,
        *,
        timeout: float = 2.0,
        retries: int = 2,
    ) -> None:
        self._clients, self._dictionary, self._metrics = clients, dictionary, metrics
        self._timeout, self._retries = timeout, retries
        self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="radius-coa")
        self._done: set[int] = set()
        self._lock = threading.Lock()
        self._logged: dict[int, tuple[float, int]] = {}  # gateway: (last line, lines skipped)

    def submit(self, order: Order, nas_address: str) -> Future | None:
        """Queue one enforcement for the router at ``nas_address``; None if it is sent
        already or on its way (a TIMEOUT lets the next submission through)."""
        with self._lock:
            if order.session_id in self._done:
                return None
            if len(self._done) > 100_000:
                self._done.clear()
            self._done.add(order.session_id)
        return self._pool.submit(self._enforce_once, order, nas_address)

    def stop(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _enforce_once(self, order: Order, nas_address: str) -> coa.CoaResult:
        result = self.enforce(order, nas_address)
        if result.outcome is coa.Outcome.TIMEOUT:
            with self._lock:
                self._done.discard(order.session_id)
        return result

    def enforce(self, order: Order, nas_address: str) -> coa.CoaResult:
        """Send the order now and return the gateway's answer (ACK, NAK or TIMEOUT)."""
        client = self._clients.by_id(order.gateway_id)
        if client is None:
            return coa.CoaResult(coa.Outcome.TIMEOUT)
        disconnect = order.action == DISCONNECT
        result = orders.send(
            order,
            host=nas_address,
            port=client.coa_port,
            secret=client.secret,
            timeout=self._timeout,
            retries=self._retries,
            dictionary_=self._dictionary,
        )
        kind = "disconnect" if disconnect else "coa"
        self._metrics.coa.labels(kind, result.label).inc()
        self._log(order, kind, result)
        return result

    def _log(self, order: Order, kind: str, result: coa.CoaResult) -> None:
        """One line per gateway per second at most (a gateway reporting many spent
        sessions must not flood the log); every result is counted in the metrics."""
        now = time.monotonic()
        with self._lock:
            last, skipped = self._logged.get(order.gateway_id, (float("-inf"), 0))
            if now - last < LOG_INTERVAL:
                self._logged[order.gateway_id] = (last, skipped + 1)
                return
            self._logged[order.gateway_id] = (now, 0)
        more = f" ({skipped} more since, see the metrics)" if skipped else ""
        log.info("quota %s for session %d: %s%s", kind, order.session_id, result.label, more)
