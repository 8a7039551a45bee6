"""Gateway inventory in the console: add and edit carry provider, backhaul class,
contracted Mbps, programme and contract end; refused values answer in Indonesian and
change nothing; another regency's gateway is out of reach."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from portal.database import db
from portal.models import AuditEntry, Gateway
from portal.world import World
from tests.admin.conftest import NOW, OTHER_REGENCY_VILLAGE, VILLAGE_A, log_in, post
from tests.clock import set_clock
from tests.databases import TEST_SECRET_KEY

BASE = {
    "village": VILLAGE_A,
    "nas_identifier": "samurangau-1",
    "source_address": "10.8.0.2",
    "hotspot_host": "10.5.50.1",
    "coa_port": "3799",
    "require_message_authenticator": "y",
}


def _gateway(app, village=VILLAGE_A, nas="samurangau-1", **stock):
    with app.app_context():
        world = World(db.session, now=NOW, master_key=TEST_SECRET_KEY)
        gateway = world.gateway(village, nas, **stock)
        db.session.commit()
        return gateway.id


def _stored(app, gateway_id):
    with app.app_context():
        g = db.session.get(Gateway, gateway_id)
        return (g.provider, g.backhaul_class, g.contracted_mbps, g.programme, g.contract_end)


def test_add_gateway_with_inventory(app, make_admin):
    client = app.test_client()
    log_in(client, make_admin("kab", "regency", "64.01"))
    form = client.get("/admin/gateways/new").get_data(as_text=True)
    assert '<datalist id="programmes">' in form and 'value="Dumisake"' in form
    assert 'value="satellite"' in form and "Serat optik (FO)" in form
    response = post(client, "/admin/gateways/new", {
        **BASE, "provider": " PT  Telkomsat ", "backhaul_class": "satellite",
        "contracted_mbps": "4", "programme": "BAKTI", "contract_end": "2026-12-10"})  # fmt: skip
    assert response.status_code == 200 and 'data-testid="gateway-secret"' in response.text
    with app.app_context():
        gateway = db.session.scalars(sa.select(Gateway)).one()
        assert (gateway.provider, gateway.backhaul_class, gateway.contracted_mbps) == (
            "PT Telkomsat", "satellite", 4)  # fmt: skip
        assert (gateway.programme, gateway.contract_end) == ("BAKTI", date(2026, 12, 10))
        actions = set(db.session.scalars(sa.select(AuditEntry.action)))
        assert {"gateway.create", "gateway.inventory"} <= actions
        gateway_id = gateway.id
    set_clock(app, lambda: NOW)
    detail = client.get(f"/admin/gateways/{gateway_id}").get_data(as_text=True)
    inventory = detail.split('data-testid="inventory"', 1)[1].split("</table>", 1)[0]
    assert "PT Telkomsat" in inventory and "Satelit (VSAT/LEO)" in inventory
    assert "4 Mbps" in inventory and "BAKTI" in inventory and "10/12/2026" in inventory
    assert "18 hari lagi" in inventory  # 22/11 WITA → 10/12
    listing = client.get("/admin/gateways").get_data(as_text=True)
    assert "10/12/2026" in listing


def test_add_gateway_without_inventory_leaves_it_empty(app, make_admin):
    client = app.test_client()
    log_in(client, make_admin("kab", "regency", "64.01"))
    post(client, "/admin/gateways/new", BASE)
    with app.app_context():
        gateway = db.session.scalars(sa.select(Gateway)).one()
        assert _stored(app, gateway.id) == (None, None, None, None, None)


def test_edit_changes_and_clears_inventory(app, make_admin):
    gateway_id = _gateway(app, provider="Telkom", backhaul_class="radio", contracted_mbps=20,
                          programme="Dana Desa", contract_end=date(2027, 1, 31))  # fmt: skip
    client = app.test_client()
    log_in(client, make_admin("kab", "regency", "64.01"))
    form = client.get(f"/admin/gateways/{gateway_id}/edit").get_data(as_text=True)
    assert 'value="Telkom"' in form and 'value="2027-01-31"' in form
    assert '<option selected value="radio">' in form
    response = post(client, f"/admin/gateways/{gateway_id}/edit", {
        **BASE, "provider": "PLN ICON+", "backhaul_class": "fibre", "contracted_mbps": "100",
        "programme": "GratisPol", "contract_end": "2029-12-31"})  # fmt: skip
    assert response.status_code == 302
    assert _stored(app, gateway_id) == ("PLN ICON+", "fibre", 100, "GratisPol", date(2029, 12, 31))
    cleared = post(client, f"/admin/gateways/{gateway_id}/edit", {
        **BASE, "provider": "", "backhaul_class": "", "contracted_mbps": "", "programme": "",
        "contract_end": ""})  # fmt: skip
    assert cleared.status_code == 302, cleared.text
    assert _stored(app, gateway_id) == (None, None, None, None, None)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("backhaul_class", "laser", "Pilih jenis backhaul dari daftar."),
        ("contracted_mbps", "0", "Kapasitas kontrak harus 1 sampai 100.000 Mbps."),
        ("contracted_mbps", "empat", "Isi dengan bilangan bulat"),
        ("contracted_mbps", "9999999", "Kapasitas kontrak harus 1 sampai 100.000 Mbps."),
        ("contract_end", "31/02/2027", "Isi tanggal yang valid"),
        ("provider", "x" * 81, "Nama penyedia paling banyak 80 karakter."),
        ("programme", "y" * 81, "Nama program paling banyak 80 karakter."),
    ],
)
def test_bad_inventory_is_refused_in_indonesian(app, make_admin, field, value, message):
    gateway_id = _gateway(app, provider="Telkom")
    client = app.test_client()
    log_in(client, make_admin("kab", "regency", "64.01"))
    response = post(client, f"/admin/gateways/{gateway_id}/edit", {**BASE, field: value})
    assert response.status_code == 200 and 'role="alert"' in response.text
    assert message in response.text
    assert _stored(app, gateway_id)[0] == "Telkom"
    new = post(client, "/admin/gateways/new", {**BASE, "nas_identifier": "baru", field: value})
    assert new.status_code == 200 and message in new.text
    assert 'data-testid="gateway-secret"' not in new.text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Gateway)) == 1


def test_inventory_xss_is_escaped(app, make_admin):
    payload = '<script>alert("x")</script>'
    gateway_id = _gateway(app, provider=payload, programme=payload)
    client = app.test_client()
    log_in(client, make_admin("kab", "regency", "64.01"))
    page = client.get(f"/admin/gateways/{gateway_id}").get_data(as_text=True)
    assert payload not in page and "&lt;script&gt;" in page


def test_another_regencys_gateway_is_not_found(app, make_admin):
    gateway_id = _gateway(app, OTHER_REGENCY_VILLAGE, "perian-1", provider="Telkom")
    client = app.test_client()
    log_in(client, make_admin("kab", "regency", "64.01"))
    assert client.get(f"/admin/gateways/{gateway_id}").status_code == 404
    edit = post(client, f"/admin/gateways/{gateway_id}/edit",
                {**BASE, "village": OTHER_REGENCY_VILLAGE, "provider": "Hacked"})  # fmt: skip
    assert edit.status_code == 404
    assert _stored(app, gateway_id)[0] == "Telkom"


def test_village_admin_cannot_edit_inventory(app, make_admin):
    gateway_id = _gateway(app, provider="Telkom")
    client = app.test_client()
    log_in(client, make_admin("operator"))
    assert client.get(f"/admin/gateways/{gateway_id}").status_code == 200
    response = post(client, f"/admin/gateways/{gateway_id}/edit", {**BASE, "provider": "X"})
    assert response.status_code == 403
    assert _stored(app, gateway_id)[0] == "Telkom"


def test_edit_without_csrf_is_refused(app, make_admin):
    gateway_id = _gateway(app, provider="Telkom")
    client = app.test_client()
    log_in(client, make_admin("kab", "regency", "64.01"))
    response = client.post(f"/admin/gateways/{gateway_id}/edit", data={**BASE, "provider": "X"})
    assert response.status_code == 400
    assert _stored(app, gateway_id)[0] == "Telkom"
