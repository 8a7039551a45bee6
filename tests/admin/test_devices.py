"""Live devices: pseudonymous labels, and Putuskan with ACK, NAK (with reason) or timeout."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from portal.admin import coa, devices
from portal.database import db
from portal.models import AccountingSession, AuditEntry
from tests.admin.conftest import log_in, post
from tests.admin.world import seed_world


@dataclass
class FakeResult:
    result: str
    error_cause: int | None = None


def test_open_sessions_are_listed_without_addresses(app, make_admin):
    a, _b = seed_world(app)
    client = app.test_client()
    log_in(client, make_admin("operator"))
    page = client.get(f"/admin/gateways/{a.gateway_id}/devices").get_data(as_text=True)
    assert "Perangkat " in page and "5,0 MB" in page and "10 m" in page
    assert "10.5.50.20" not in page and "g-abc" not in page


@pytest.mark.parametrize(
    ("result", "shown", "css"),
    [
        (FakeResult("ack"), "Berhasil: router memutus perangkat (ACK).", "outcome-ack"),
        (FakeResult("nak", 503), "Ditolak router (NAK): 503: sesi tidak ditemukan", "outcome-nak"),
        (FakeResult("timeout"), "Router tidak menjawab (timeout)", "outcome-timeout"),
    ],
    ids=["ack", "nak", "timeout"],
)
def test_putuskan_shows_each_outcome_distinctly(app, make_admin, result, shown, css):
    a, _b = seed_world(app)
    calls = []

    def fake(*, gateway, session):
        calls.append((gateway.id, session.id))
        return result

    app.config["WIFIDESA_DISCONNECT"] = fake
    client = app.test_client()
    log_in(client, make_admin("operator"))
    response = post(client, f"/admin/gateways/{a.gateway_id}/devices/{a.session_id}/disconnect")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert shown in page and css in page
    assert calls == [(a.gateway_id, a.session_id)]
    with app.app_context():
        entry = db.session.scalars(
            sa.select(AuditEntry).where(
                AuditEntry.action == "session.disconnect",
                AuditEntry.object_id == str(a.session_id),  # the seed ended another one
            )
        ).one()
        assert entry.detail == result.result


def test_session_of_another_gateway_is_not_found(app, make_admin):
    a, b = seed_world(app)
    app.config["WIFIDESA_DISCONNECT"] = lambda **kw: FakeResult("ack")
    client = app.test_client()
    log_in(client, make_admin("kab", "regency", "64.01"))
    url = f"/admin/gateways/{a.gateway_id}/devices/{b.session_id}/disconnect"
    assert post(client, url).status_code == 404


def test_client_results_are_normalised():
    assert coa.normalise("ACK") == coa.DisconnectOutcome("ack")
    assert coa.normalise(FakeResult("nak", 999)).reason == "999: tidak dikenal"
    assert coa.normalise(object()).outcome == "error"


def test_putuskan_answers_at_once_and_the_order_page_follows_the_router(
    app, make_admin, monkeypatch
):
    """The request never waits for the router: while the router has not answered, the
    order page says the order is on its way and refreshes itself; then it shows the
    answer, and a NAK 503 closes the session."""
    a, _b = seed_world(app)
    released, sending = threading.Event(), threading.Event()

    def slow_router(*, gateway, session):
        sending.set()
        assert released.wait(10), "the test never let the router answer"
        return FakeResult("nak", 503)

    app.config["WIFIDESA_DISCONNECT"] = slow_router
    client = app.test_client()
    log_in(client, make_admin("operator"))
    monkeypatch.setattr(devices, "ANSWER_WAIT", 0.2)
    try:
        response = post(client, f"/admin/gateways/{a.gateway_id}/devices/{a.session_id}/disconnect")
        assert sending.wait(5)  # the router was asked only after the order was committed
        assert response.status_code == 302  # ... and the answer to the admin did not wait
        pending = client.get(response.headers["Location"]).get_data(as_text=True)
        assert 'data-testid="order-pending"' in pending and 'http-equiv="refresh"' in pending
        released.set()
        for _ in range(100):
            page = client.get(response.headers["Location"]).get_data(as_text=True)
            if "outcome-nak" in page:
                break
        assert "503: sesi tidak ditemukan" in page and 'http-equiv="refresh"' not in page
    finally:
        released.set()
    with app.app_context():
        closed = db.session.get(AccountingSession, a.session_id)
        assert closed.stopped_at is not None and closed.framed_ip is None
