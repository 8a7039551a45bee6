"""Prometheus metrics of the RADIUS process, in a registry of its own.

Labels never carry personal data: packet kinds, results, drop reasons, CoA outcomes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Histogram, start_http_server

LATENCY_BUCKETS = (0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512)


@dataclass
class Metrics:
    """The counters and histograms the server, writer and CoA client update."""

    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        r = self.registry
        self._children: dict[tuple[str, str], Counter] = {}
        self._latency: dict[str, Histogram] = {}
        self.requests = Counter(
            "wifidesa_radius_requests",
            "RADIUS requests answered, by packet kind and result",
            ["kind", "result"],
            registry=r,
        )
        self.drops = Counter(
            "wifidesa_radius_dropped",
            "Packets dropped without an answer, by reason",
            ["reason"],
            registry=r,
        )
        self.duplicates = Counter(
            "wifidesa_radius_duplicates",
            "Retransmitted requests answered from the duplicate cache",
            ["kind"],
            registry=r,
        )
        self.latency = Histogram(
            "wifidesa_radius_latency_seconds",
            "Time from receiving a request to sending its answer (reject delay excluded)",
            ["kind"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.batch_size = Histogram(
            "wifidesa_radius_batch_size",
            "Requests committed together in one transaction",
            ["kind"],
            buckets=BATCH_BUCKETS,
            registry=r,
        )
        self.implausible = Counter(
            "wifidesa_accounting_implausible",
            "Accounting counters that could not be true and were bounded, by reason",
            ["reason"],
            registry=r,
        )
        self.coa = Counter(
            "wifidesa_radius_coa",
            "Disconnect and CoA requests sent, by kind and result (ack, nak-<cause>, timeout)",
            ["kind", "result"],
            registry=r,
        )

    def count(self, kind: str, result: str) -> None:
        """Count an answered request (label children cached: this runs per packet)."""
        child = self._children.get((kind, result))
        if child is None:
            child = self._children[(kind, result)] = self.requests.labels(kind, result)
        child.inc()

    def observe(self, kind: str, seconds: float) -> None:
        """Record a request's latency (label children cached: this runs per packet)."""
        child = self._latency.get(kind)
        if child is None:
            child = self._latency[kind] = self.latency.labels(kind)
        child.observe(seconds)

    def bounded(self, reason: str) -> None:
        """Count an accounting counter that was cut to what could be true."""
        self.implausible.labels(reason).inc()

    def drop(self, reason: str) -> None:
        self.drops.labels(reason).inc()

    def serve(self, port: int, host: str = "127.0.0.1"):
        """Serve /metrics over HTTP on a thread (loopback by default).

        Returns the HTTP server; ``.shutdown()`` stops it. Raises OSError if the port is taken.
        """
        server, _thread = start_http_server(port, addr=host, registry=self.registry)
        return server
