"""Live devices: pseudonymous labels, and Putuskan with ACK, NAK (with reason) or timeout."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from portal.admin import coa
from portal.database import db
from portal.models import AuditEntry
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
            sa.select(AuditEntry).where(AuditEntry.action == "session.disconnect")
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
