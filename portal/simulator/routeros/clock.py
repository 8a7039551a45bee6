"""The twin's clock: router time that can run faster than real time.

Periods the router keeps by its own clock (scheduler interval, netwatch interval,
trial-uptime-limit, interim updates, an outage window) are written in router seconds;
`scale` router seconds pass per real second, so a 30-minute outage at scale 120 lasts 15 real
seconds. Network latencies and RADIUS timeouts are NOT scaled: a packet still takes its real
350 ms, which is what the link and the measurements are about.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

__all__ = ["Clock"]


class Clock:
    """Router time since the twin started; `scale` router seconds per real second."""

    def __init__(self, scale: float = 1.0, start: datetime | None = None) -> None:
        if scale <= 0:
            raise ValueError("scale must be positive")
        self.scale = scale
        self._real_start = time.monotonic()
        self._start = start or datetime.now(UTC).replace(tzinfo=None)

    def seconds(self) -> float:
        """Router seconds elapsed since the start."""
        return (time.monotonic() - self._real_start) * self.scale

    def now(self) -> datetime:
        """The router's wall clock (naive UTC)."""
        return self._start + timedelta(seconds=self.seconds())

    def real(self, router_seconds: float) -> float:
        """How many real seconds ``router_seconds`` last."""
        return router_seconds / self.scale

    def wait(self, router_seconds: float, stop: threading.Event | None = None) -> bool:
        """Sleep ``router_seconds``; returns True when ``stop`` was set meanwhile."""
        if stop is None:
            time.sleep(self.real(router_seconds))
            return False
        return stop.wait(self.real(router_seconds))
