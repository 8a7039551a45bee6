"""Dashboard: one village in detail; a region with the villages needing attention first;
the Wi-Fi poster."""

from __future__ import annotations

import re
from datetime import timedelta

from portal.database import db
from portal.domain.reporting import status
from portal.models import AccountingSession, Gateway
from portal.web import qr
from tests.admin.conftest import NOW, VILLAGE_A, VILLAGE_B, log_in
from tests.admin.qrdecode import decode_svg, svgs_in
from tests.admin.world import seed_world
from tests.clock import set_clock


def _world(app):
    a, b = seed_world(app)
    with app.app_context():
        stale = db.session.get(AccountingSession, b.session_id)
        stale.updated_at = NOW - timedelta(hours=1)
        db.session.get(Gateway, stale.gateway_id).last_seen_at = stale.updated_at
        db.session.commit()
    set_clock(app, lambda: NOW + timedelta(minutes=2))
    return a, b


def test_village_statuses_put_trouble_first(app):
    _world(app)
    with app.app_context():
        result = status.overview(db.session, "64.01", NOW + timedelta(minutes=2))
        statuses = status.needing_attention_first(result.villages)
    assert [s.kode for s in statuses] == [VILLAGE_B, VILLAGE_A]
    b, a = statuses
    assert b.attention == ["gateway-down"] and a.attention == []
    assert (a.online_now, a.users_today, a.bytes_today) == (1, 1, 5_001_000)


def test_village_admin_sees_their_village_today(app, make_admin):
    _world(app)
    client = app.test_client()
    log_in(client, make_admin("operator"))
    page = client.get("/admin/").get_data(as_text=True)
    assert "Samurangau" in page and "Busui" not in page
    assert re.search(r'data-testid="online-now"><strong>1<', page)
    assert re.search(r'data-testid="users-today"><strong>1<', page)
    assert "5,0 MB" in page
    assert "RAHASIA-A judul" in page  # latest announcements
    assert re.search(r'data-testid="hotspot-status"><strong>Aktif<', page)


def test_regency_admin_sees_villages_needing_attention_first(app, make_admin):
    _world(app)
    admin = make_admin("kab", "regency", "64.01")
    client = app.test_client()
    set_clock(app)
    log_in(client, admin)
    set_clock(app, lambda: NOW + timedelta(minutes=2))
    page = client.get("/admin/").get_data(as_text=True)
    order = re.findall(r'<tr data-kode="([^"]+)"', page)
    assert order == [VILLAGE_B, VILLAGE_A]  # 64.02's village is not theirs
    assert client.get(f"/admin/villages/{VILLAGE_B}").status_code == 200
    assert client.get("/admin/villages/64.02.01.2001").status_code == 404


def test_poster_qr_codes_join_the_network_and_open_the_village_bulletin(app, make_admin):
    client = app.test_client()
    log_in(client, make_admin("operator"))
    page = client.get(f"/admin/villages/{VILLAGE_A}/poster").get_data(as_text=True)
    decoded = [decode_svg(svg) for svg in svgs_in(page)]
    assert decoded == [
        qr.wifi_join_text("WiFi Desa Samurangau"),
        "https://portal.example.id/desa/samurangau",
    ]
    # What the second code opens works for a phone with nothing else: the bulletin,
    # not a bare /hotspot that answers "Titik Wi-Fi ini belum terdaftar".
    opened = app.test_client().get(decoded[1].removeprefix("https://portal.example.id"))
    assert opened.status_code == 200
    assert "Samurangau" in opened.get_data(as_text=True)
    assert "belum terdaftar" not in opened.get_data(as_text=True)
