"""The regency dashboard flags contracts ending within 30 days (and just ended), from
`portal.domain.network.inventory.contracts_ending`; other regencies' contracts stay out."""

from __future__ import annotations

import re
from datetime import date, timedelta

from portal.database import db
from portal.world import World
from tests.admin.conftest import NOW, OTHER_REGENCY_VILLAGE, VILLAGE_A, VILLAGE_B, log_in
from tests.clock import set_clock
from tests.databases import TEST_SECRET_KEY

TODAY = date(2026, 11, 22)  # NOW in WITA


def _gateways(app):
    with app.app_context():
        world = World(db.session, now=NOW, master_key=TEST_SECRET_KEY)
        world.gateway(VILLAGE_A, "samurangau-1", contract_end=TODAY + timedelta(days=5),
                      provider="PT ICON+", programme="GratisPol")  # fmt: skip
        world.gateway(VILLAGE_B, "busui-1", contract_end=TODAY - timedelta(days=2))
        world.gateway(VILLAGE_B, "busui-2", contract_end=TODAY + timedelta(days=45))
        world.gateway(OTHER_REGENCY_VILLAGE, "perian-1", contract_end=TODAY + timedelta(days=1))
        db.session.commit()


def test_regency_dashboard_lists_contracts_ending(app, make_admin):
    _gateways(app)
    client = app.test_client()
    log_in(client, make_admin("kab", "regency", "64.01"))
    set_clock(app, lambda: NOW)
    page = client.get("/admin/").get_data(as_text=True)
    section = page.split('data-testid="contracts-ending"', 1)[1].split("</section>", 1)[0]
    assert re.findall(r'data-gateway="([^"]+)" data-days-left="(-?\d+)"', section) == [
        ("busui-1", "-2"),
        ("samurangau-1", "5"),
    ]
    assert "Kontrak berakhir dalam 30 hari" in section
    assert "berakhir 2 hari lalu" in section and "5 hari lagi" in section
    assert "PT ICON+" in section and "GratisPol" in section and "27/11/2026" in section
    assert "perian-1" not in page and "busui-2" not in section


def test_dashboard_without_contracts_ending_has_no_section(app, make_admin):
    client = app.test_client()
    log_in(client, make_admin("kab", "regency", "64.01"))
    page = client.get("/admin/").get_data(as_text=True)
    assert 'data-testid="contracts-ending"' not in page


def test_province_dashboard_sees_every_regency(app, make_admin):
    _gateways(app)
    client = app.test_client()
    log_in(client, make_admin("prov", "province", "64"))
    set_clock(app, lambda: NOW)
    page = client.get("/admin/").get_data(as_text=True)
    assert re.findall(r'data-gateway="([^"]+)"', page) == ["busui-1", "perian-1", "samurangau-1"]


def test_english_dashboard_flags_in_english(app, make_admin):
    _gateways(app)
    client = app.test_client()
    log_in(client, make_admin("kab", "regency", "64.01"))
    set_clock(app, lambda: NOW)
    page = client.get("/admin/?lang=en").get_data(as_text=True)
    assert "Contracts ending within 30 days" in page
    assert "ended 2 days ago" in page and "5 days left" in page
