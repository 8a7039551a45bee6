"""The hotspot's RADIUS accounting: Start, Interim-Update, Stop, in order, off the page's path.

MikroTik manual "RADIUS" (Accounting-Request) and a RouterOS 7 capture (reference §2.2,
§2.5): every request carries the hotspot's attribute set; Interim and Stop add session time
and the octet counters split into 32-bit values and gigawords; Stop adds
Acct-Terminate-Cause; Class from the Access-Accept is echoed unchanged. The router sends
accounting after the login page is shown, so the twin queues it to one thread.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable

from portal.simulator.routeros.clock import Clock
from portal.simulator.routeros.radius_client import RadiusClient

__all__ = ["GIGAWORD", "Accounting", "request_attributes"]

GIGAWORD = 1 << 32


def request_attributes(config, host, username: str, session_id: str) -> dict[str, object]:
    """What every hotspot request carries (§2.2, a RouterOS 7 capture)."""
    return {
        "NAS-Port-Type": "Wireless-802.11",
        "Calling-Station-Id": host.mac.upper(),
        "Called-Station-Id": config.server_name,
        "NAS-Port-Id": "bridge-hotspot",
        "User-Name": username,
        "NAS-Port": 2148532244,
        "Acct-Session-Id": session_id,
        "Framed-IP-Address": host.ip,
        "Mikrotik-Host-IP": host.ip,
        "NAS-Identifier": config.identity,
        "NAS-IP-Address": "127.0.0.1",
    }


class Accounting:
    """Sends a session's accounting in order on one thread (or to `on_accounting`)."""

    def __init__(self, config, clock: Clock, radius: RadiusClient,
                 on_accounting: Callable[[dict], None] | None = None) -> None:  # fmt: skip
        self.config, self.clock, self.radius = config, clock, radius
        self._on_accounting = on_accounting
        self._outbox: queue.Queue[dict | None] = queue.Queue()
        self._sender: threading.Thread | None = None
        self._lock = threading.Lock()

    def send(self, host, session, kind: str, cause: str = "") -> None:
        attributes = request_attributes(self.config, host, session.username, session.session_id)
        attributes["Acct-Status-Type"] = kind
        attributes["Event-Timestamp"] = int(self.clock.now().timestamp())
        attributes["Acct-Delay-Time"] = 0
        if session.klass is not None:
            attributes["Class"] = session.klass
        if kind != "Start":
            attributes["Acct-Session-Time"] = int(self.clock.seconds() - session.started)
            for name, octets in (("Input", session.bytes_in), ("Output", session.bytes_out)):
                attributes[f"Acct-{name}-Octets"] = octets % GIGAWORD
                attributes[f"Acct-{name}-Gigawords"] = octets // GIGAWORD
        if cause:
            attributes["Acct-Terminate-Cause"] = cause
        if self._on_accounting is not None:
            self._on_accounting(attributes)
            return
        with self._lock:
            if self._sender is None:
                self._sender = threading.Thread(target=self._run, daemon=True)
                self._sender.start()
        self._outbox.put(attributes)

    def _run(self) -> None:
        while (attributes := self._outbox.get()) is not None:
            self.radius.accounting(attributes)

    def close(self) -> None:
        """End the thread once what is queued has been sent."""
        self._outbox.put(None)
