"""Villages in the console: search the official list by name or code (kecamatan and
kabupaten shown), add with SSID and time zone, list and edit only in one's region."""

from __future__ import annotations

import re

import sqlalchemy as sa

from portal.database import db
from portal.models import AuditEntry, Village
from tests.admin.conftest import OTHER_REGENCY_VILLAGE, VILLAGE_A, log_in, post

LEGAI = "64.01.01.2012"  # Paser, not set up by the fixtures


def _village(app, kode):
    with app.app_context():
        village = db.session.get(Village, kode)
        return None if village is None else (village.name, village.ssid, village.timezone)


def _regency(app, make_admin):
    client = app.test_client()
    log_in(client, make_admin("kab", "regency", "64.01"))
    return client


def test_search_by_name_shows_kecamatan_and_kabupaten(app, make_admin):
    client = _regency(app, make_admin)
    page = client.get("/admin/villages/search?q=muara+adang").get_data(as_text=True)
    hits = re.findall(r'<li data-kode="([^"]+)">', page)
    assert hits == ["64.01.06.2002", "64.01.08.2020"]
    assert "Long Ikis" in page and "Long Kali" in page and "Kabupaten Paser" in page
    assert 'href="/admin/villages/new/64.01.06.2002"' in page


def test_search_by_code_and_spelling_variant(app, make_admin):
    client = _regency(app, make_admin)
    page = client.get("/admin/villages/search?q=6401012012").get_data(as_text=True)
    assert re.findall(r'<li data-kode="([^"]+)">', page) == [LEGAI]
    page = client.get("/admin/villages/search?q=Kesungai").get_data(as_text=True)
    assert "Kasungai" in page
    page = client.get(f"/admin/villages/search?q={VILLAGE_A}").get_data(as_text=True)
    assert "sudah terdaftar" in page  # set up by the fixtures: edit, not add


def test_search_stays_inside_the_region(app, make_admin):
    client = _regency(app, make_admin)
    page = client.get("/admin/villages/search?q=Perian").get_data(as_text=True)
    assert 'data-testid="no-results"' in page and OTHER_REGENCY_VILLAGE not in page


def test_search_escapes_what_was_typed(app, make_admin):
    client = _regency(app, make_admin)
    page = client.get("/admin/villages/search?q=<script>alert(1)</script>").get_data(as_text=True)
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page


def test_add_a_village_with_ssid_and_time_zone(app, make_admin):
    client = _regency(app, make_admin)
    form = client.get(f"/admin/villages/new/{LEGAI}").get_data(as_text=True)
    assert 'value="Wifi Desa Legai"' in form and '<option selected value="WITA">' in form
    assert "Batu Sopang" in form
    response = post(client, f"/admin/villages/new/{LEGAI}",
                    {"ssid": "WiFi Gratis Legai", "timezone": "WITA"})  # fmt: skip
    assert response.status_code == 302
    assert _village(app, LEGAI) == ("Legai", "WiFi Gratis Legai", "WITA")
    listing = client.get("/admin/villages").get_data(as_text=True)
    assert f'data-kode="{LEGAI}"' in listing and OTHER_REGENCY_VILLAGE not in listing
    with app.app_context():
        entry = db.session.scalars(sa.select(AuditEntry).where(
            AuditEntry.action == "village.add", AuditEntry.object_id == LEGAI)).one()  # fmt: skip
        assert entry.actor_label == "kab"
    # Adding it again leads to its edit page.
    again = client.get(f"/admin/villages/new/{LEGAI}")
    assert again.status_code == 302 and again.headers["Location"].endswith(f"{LEGAI}/edit")


def test_bad_village_input_is_refused_in_indonesian(app, make_admin):
    client = _regency(app, make_admin)
    for data, message in (
        ({"ssid": "", "timezone": "WITA"}, "Isi nama Wi-Fi."),
        ({"ssid": "x" * 33, "timezone": "WITA"}, "Nama Wi-Fi paling banyak 32 karakter."),
        ({"ssid": "é" * 20, "timezone": "WITA"}, "Nama Wi-Fi harus 1 sampai 32 byte."),
        ({"ssid": "Legai", "timezone": "UTC"}, "Pilih WIB, WITA atau WIT."),
    ):
        response = post(client, f"/admin/villages/new/{LEGAI}", data)
        assert response.status_code == 422 and message in response.text, data
    assert _village(app, LEGAI) is None


def test_another_regencys_village_and_unknown_codes_are_not_found(app, make_admin):
    client = _regency(app, make_admin)
    paths = (f"/admin/villages/new/{OTHER_REGENCY_VILLAGE}", "/admin/villages/new/64.02.01.2002",
             "/admin/villages/new/64.01.01.2001", "/admin/villages/new/64.01",
             f"/admin/villages/{OTHER_REGENCY_VILLAGE}/edit")  # fmt: skip
    for path in paths:
        assert client.get(path).status_code == 404, path
    assert post(client, f"/admin/villages/{OTHER_REGENCY_VILLAGE}/edit",
                {"ssid": "Hacked", "timezone": "WIB"}).status_code == 404  # fmt: skip
    assert _village(app, OTHER_REGENCY_VILLAGE)[1] != "Hacked"


def test_edit_a_village(app, make_admin):
    client = _regency(app, make_admin)
    response = post(client, f"/admin/villages/{VILLAGE_A}/edit",
                    {"ssid": "Samurangau Online", "timezone": "WIB"})  # fmt: skip
    assert response.status_code == 302
    assert _village(app, VILLAGE_A)[1:] == ("Samurangau Online", "WIB")


def test_village_admin_may_not_manage_villages(app, make_admin):
    client = app.test_client()
    log_in(client, make_admin("operator"))
    for path in ("/admin/villages", "/admin/villages/search?q=legai",
                 f"/admin/villages/new/{LEGAI}", f"/admin/villages/{VILLAGE_A}/edit"):  # fmt: skip
        assert client.get(path).status_code == 403, path
    assert post(client, f"/admin/villages/{VILLAGE_A}/edit",
                {"ssid": "X", "timezone": "WIB"}).status_code == 403  # fmt: skip
    assert 'href="/admin/villages"' not in client.get("/admin/policies").get_data(as_text=True)


def test_province_admin_adds_in_any_regency_of_the_province(app, make_admin):
    client = app.test_client()
    log_in(client, make_admin("prov", "province", "64"))
    page = client.get("/admin/villages/search?q=Perian").get_data(as_text=True)
    assert OTHER_REGENCY_VILLAGE in page
    assert client.get("/admin/villages/new/15.01.01.2001").status_code == 404  # Jambi


def test_add_without_csrf_is_refused(app, make_admin):
    client = _regency(app, make_admin)
    response = client.post(f"/admin/villages/new/{LEGAI}", data={"ssid": "L", "timezone": "WITA"})
    assert response.status_code == 400
    assert _village(app, LEGAI) is None
