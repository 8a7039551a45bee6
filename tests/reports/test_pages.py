"""Report pages: login required, scoped by the admin's area, Indonesian number formats."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from portal.web import charts
from tests.clock import set_clock
from tests.reports import scenario
from tests.reports.scenario import WIB_VILLAGE, WITA_VILLAGE


@pytest.fixture
def loaded(session, make_village, make_gateway):
    return scenario.load(session, make_village, make_gateway)


@pytest.fixture
def at_now(app):
    set_clock(app, lambda: scenario.NOW)


def test_pages_need_a_login(client, loaded):
    for path in ("/reports/", f"/reports/desa/{WITA_VILLAGE}", "/reports/gateway-mati",
                 "/reports/ringkasan", "/reports/penyimpanan"):  # fmt: skip
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].endswith("/admin/login")


def test_an_idle_session_ends_as_in_the_admin_console(client, loaded, make_admin, login):
    login(make_admin("regency", "64.01"))
    with client.session_transaction() as flask_session:
        flask_session["admin_seen_at"] -= 2 * 3600  # idle for two hours
    assert client.get("/reports/").status_code == 302


def test_overview_shows_only_the_admins_area(client, loaded, make_admin, login, at_now):
    login(make_admin("regency", "64.01"))
    page = client.get("/reports/").get_data(as_text=True)
    assert "Samurangau" in page and "Lempur Tengah" not in page
    assert "Kabupaten Paser" in page and "Batu Sopang" in page
    assert "9,7%" in page  # uptime 28 of 288 buckets
    assert "12,8 MB" in page  # 30-day data of Samurangau
    assert "21/11 13.00 WITA" in page  # last seen, in the village's own time


def test_overview_sorts_by_a_column(client, loaded, make_admin, make_village, login, at_now):
    make_village("64.01.01.2010")  # Busui: no users
    login(make_admin("province", "64"))
    page = client.get("/reports/?urut=hari_ini&arah=turun").get_data(as_text=True)
    assert page.index("Samurangau") < page.index("Busui")
    page = client.get("/reports/?urut=hari_ini&arah=naik").get_data(as_text=True)
    assert page.index("Busui") < page.index("Samurangau")


def test_village_page_has_charts_with_data_tables(client, loaded, make_admin, login, at_now):
    login(make_admin("village", WITA_VILLAGE))
    response = client.get(f"/reports/desa/{WITA_VILLAGE}?dari=2026-11-20&sampai=2026-11-21")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.count("<svg") == 4
    assert 'role="img"' in page and "<table" in page
    assert "style=" not in page and "<script" not in page
    assert "43 menit" in page  # average session on 21/11: 7800 s / 3 sessions
    assert "10,0 MB" in page  # downloads on 21/11


def test_village_outside_the_scope_is_not_found(client, loaded, make_admin, login):
    login(make_admin("village", WITA_VILLAGE))
    assert client.get(f"/reports/desa/{WIB_VILLAGE}").status_code == 404
    login(make_admin("regency", "15.01", username="kerinci"))
    assert client.get(f"/reports/desa/{WITA_VILLAGE}").status_code == 404
    assert client.get(f"/reports/desa/{WIB_VILLAGE}").status_code == 200


def test_bad_range_is_a_400(client, loaded, make_admin, login):
    login(make_admin("village", WITA_VILLAGE))
    for query in ("dari=kemarin", "dari=2026-11-21&sampai=2026-11-20", "dari=2020-01-01"):
        assert client.get(f"/reports/desa/{WITA_VILLAGE}?{query}").status_code == 400


def test_gateways_down_lists_since_when(
    client, loaded, make_admin, make_gateway, make_village, login, at_now
):
    make_gateway(make_village("15.01.01.2001"), "kerinci-2")  # never heard from
    login(make_admin("province", "15"))
    page = client.get("/reports/gateway-mati").get_data(as_text=True)
    assert "kerinci-1" in page and "21/11 10.00 WIB" in page  # 03.00 UTC
    assert page.index("kerinci-2") < page.index("kerinci-1")
    assert "belum pernah terhubung" in page
    assert "paser-1" not in page


def test_charts_escape_labels_and_shade_by_value():
    svg = charts.bar_chart("<b>", ["<x>"], [3])
    assert "<b>" not in svg and "&lt;x&gt;" in svg
    grid = charts.heatmap("t", ["a"], ["0", "1", "2"], [[0, 1, 10]])
    assert re.findall(r'class="(heat-\d)"', grid) == ["heat-0", "heat-1", "heat-5"]


def test_overview_counts_today_in_each_villages_own_zone(session, loaded):
    from portal.domain.reporting.status import overview

    # 16.30 UTC on 20/11: already 21/11 in WITA, still 20/11 in WIB.
    result = overview(session, "64", datetime(2026, 11, 20, 16, 30))
    (paser,) = result.villages
    assert paser.users_today == 2  # devices B and A on 21/11 WITA
    result = overview(session, "15", datetime(2026, 11, 20, 16, 30))
    assert result.villages[0].users_today == 1  # device C on 20/11 WIB


def test_overview_pages_through_many_villages(client, make_village, make_admin, login, monkeypatch):
    from portal import reports as report_pages
    from portal.domain.network.regions import villages_under

    monkeypatch.setattr(report_pages, "PAGE_SIZE", 2)
    for region in villages_under("64.01.01")[:5]:
        make_village(region.kode)
    login(make_admin("regency", "64.01"))
    first = client.get("/reports/").get_data(as_text=True)
    last = client.get("/reports/?halaman=3").get_data(as_text=True)
    assert first.count('<tr class="status-') == 2 and last.count('<tr class="status-') == 1
    assert 'aria-current="page">3<' in last


def test_a_session_of_an_older_session_version_is_refused(
    client, loaded, make_admin, login, session
):
    admin = make_admin("regency", "64.01")
    login(admin)
    assert client.get("/reports/").status_code == 200
    admin.session_version += 1  # logout everywhere / password change
    session.commit()
    from flask import g

    g.pop("_login_user", None)
    assert client.get("/reports/").status_code == 302


def test_report_pages_and_api_answers_are_not_cached(client, loaded, make_admin, make_token, login):
    login(make_admin("regency", "64.01"))
    assert client.get("/reports/").headers["Cache-Control"] == "no-store"
    response = client.get("/api/v1/usage?scope=64&from=2026-11-20&to=2026-11-21",
                          headers={"Authorization": f"Bearer {make_token('64')}"})  # fmt: skip
    assert response.headers["Cache-Control"] == "no-store"


def test_outages_routers_reported_show_on_the_reports(
    client, loaded, session, make_admin, login, at_now
):
    """An outage a router reported after it reached RADIUS again (routers/heartbeat),
    with its emergency use, on the overview, the village report and gateways-down."""
    from datetime import timedelta

    from portal.domain.usage.outages import OutageReport, record_outage

    paser = loaded["paser"]
    report = OutageReport("o1795300000", logins=7, seconds=5400, bytes_=250_000_000, minutes=40)
    assert record_outage(session, paser, report, now=scenario.NOW - timedelta(hours=2))
    assert not record_outage(session, paser, report, now=scenario.NOW)  # sent again
    session.commit()
    login(make_admin("regency", "64.01"))
    for path in ("/reports/", "/reports/gateway-mati", f"/reports/desa/{WITA_VILLAGE}"):
        page = client.get(path).get_data(as_text=True)
        assert page.count('data-outage-logins="7"') == 1, path
        assert "paser-1" in page and "40 menit" in page
    village = client.get(f"/reports/desa/{WITA_VILLAGE}").get_data(as_text=True)
    assert 'data-emergency-logins="7"' in village and "1 jam 30 menit" in village
    other = client.get(f"/reports/desa/{WIB_VILLAGE}")
    assert other.status_code == 404  # outside the regency admin's area
