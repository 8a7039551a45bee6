"""/healthz and /metrics."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient

from portal.models import Gateway


def test_healthz(client: FlaskClient) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_metrics_are_prometheus_text(
    client: FlaskClient, make_gateway: Callable[..., Gateway]
) -> None:
    make_gateway()
    client.get("/healthz")

    response = client.get("/metrics")

    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    text = response.get_data(as_text=True)
    assert "wifidesa_villages 1.0" in text
    assert "wifidesa_gateways 1.0" in text
    assert "wifidesa_open_sessions 0.0" in text
    assert 'wifidesa_http_requests_total{endpoint="ops.healthz",status="200"} 1.0' in text


def test_a_nul_byte_anywhere_is_refused_before_any_query(client):
    assert client.get("/mt/gw%00/heartbeat?token=x").status_code == 400
    assert client.get("/hotspot", query_string={"identity": "gw\x00"}).status_code == 400
    assert client.post("/hotspot", data={"identity": "gw\x00"}).status_code == 400
    assert client.get("/desa/samurangau\x00").status_code == 400
    assert client.get("/healthz").status_code == 200
