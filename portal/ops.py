"""Operations endpoints: /healthz for load balancers, /metrics for Prometheus."""

from __future__ import annotations

import time
from collections.abc import Iterator

import sqlalchemy as sa
from flask import Blueprint, Flask, Response, current_app, g, request
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from portal.database import db
from portal.models import AccountingSession, Gateway, Village

bp = Blueprint("ops", __name__)


@bp.get("/healthz")
def healthz() -> tuple[dict[str, str], int]:
    """200 when the database answers, 503 otherwise."""
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        current_app.logger.error("healthz: database unreachable")
        return {"status": "error", "database": "unreachable"}, 503
    return {"status": "ok", "database": "ok"}, 200


@bp.get("/metrics")
def metrics() -> Response:
    registry: CollectorRegistry = current_app.extensions["wifidesa.metrics"]
    return Response(generate_latest(registry), mimetype="text/plain; version=0.0.4")


class InventoryCollector(Collector):
    """Gauges read from the database at scrape time (so every worker reports the same)."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def describe(self) -> list[GaugeMetricFamily]:
        # Registering must not touch the database (create_app has no side effects).
        return []

    def collect(self) -> Iterator[GaugeMetricFamily]:
        with self.app.app_context():
            session = db.session
            counts = {
                "wifidesa_villages": ("Villages configured", Village),
                "wifidesa_gateways": ("Gateways configured", Gateway),
            }
            for name, (text, model) in counts.items():
                value = session.scalar(sa.select(sa.func.count()).select_from(model))
                yield GaugeMetricFamily(name, text, value=value or 0)
            open_sessions = session.scalar(
                sa.select(sa.func.count())
                .select_from(AccountingSession)
                .where(AccountingSession.stopped_at.is_(None))
            )
            yield GaugeMetricFamily(
                "wifidesa_open_sessions", "Hotspot sessions open now", value=open_sessions or 0
            )
            db.session.remove()


def init_app(app: Flask) -> None:
    registry = CollectorRegistry()
    requests = Counter(
        "wifidesa_http_requests",
        "HTTP requests by endpoint and status",
        ["endpoint", "status"],
        registry=registry,
    )
    latency = Histogram(
        "wifidesa_http_request_seconds", "HTTP request latency", ["endpoint"], registry=registry
    )
    registry.register(InventoryCollector(app))
    app.extensions["wifidesa.metrics"] = registry

    @app.before_request
    def _start_timer() -> None:
        g.started = time.perf_counter()

    @app.after_request
    def _count(response: Response) -> Response:
        endpoint = request.endpoint or "unknown"
        requests.labels(endpoint, str(response.status_code)).inc()
        if "started" in g:
            latency.labels(endpoint).observe(time.perf_counter() - g.started)
        return response

    app.register_blueprint(bp)
