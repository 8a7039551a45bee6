"""The report pages in Bahasa Indonesia by default and in English one tap away, with the
console's own switch (the shared ``lang`` cookie of portal/i18n.py)."""

from __future__ import annotations

import html
import re
from urllib.parse import quote

import pytest
from flask import g
from flask.testing import FlaskClient
from markupsafe import escape

from portal.models import Village
from tests.admin.browser import load_payloads
from tests.admin.conftest import csrf_token
from tests.clock import set_clock
from tests.reports import scenario
from tests.reports.scenario import WITA_VILLAGE

VILLAGE_PAGE = f"/reports/desa/{WITA_VILLAGE}?dari=2026-11-20&sampai=2026-11-21"
#: path → (an Indonesian heading, its English translation)
PAGES = {
    "/reports/": ("Ikhtisar desa", "Village overview"),
    VILLAGE_PAGE: ("Pengguna per hari", "Users per day"),
    "/reports/gateway-mati": ("Gateway yang tidak terdengar", "Gateways not heard from"),
    "/reports/ringkasan": ("Salin teks di bawah", "Copy the text below"),
    "/reports/penyimpanan": ("Alamat MAC perangkat tidak", "MAC addresses are never"),
    "/reports/unduh": ("Unduh data pemakaian", "Download usage data"),
}
#: Indonesian words of the report pages' own text (navigation, headings, table heads,
#: notes) that an English page must not show.
LEFTOVERS = (
    "Ikhtisar", "Gateway mati", "Ringkasan harian", "Penyimpanan data", "Konsol admin",
    "Kabupaten/kota", "Kecamatan", "Desa aktif hari ini", "Pengguna hari ini", "Terakhir terlihat",
    "Gangguan server pusat", "Login darurat", "Waktu darurat", "Data darurat",
    "Tidak ada gangguan", "tidak dapat menjangkau", "Mati sejak", "Semua gateway menyala",
    "Tabel data harian", "Rata-rata lama sesi", "Jam ramai", "Lama sesi", "Jumlah sesi",
    "Rentang ini", "Tampilkan", "Sampai", "Unggah", "Salin teks", "Aturan penyimpanan",
    "Dari tanggal", "Versi data", "Unduh data", "disimpan", "dihapus", "perangkat",
)  # fmt: skip


class _FreshLocale(FlaskClient):
    """A test client whose every request chooses its language anew.

    The reports fixtures keep one app context pushed, which requests reuse, so
    Flask-Babel's per-context cache of the locale (``g._flask_babel``) would carry one
    request's language into the next; a served request always starts without it.
    """

    def open(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        g.pop("_flask_babel", None)
        return super().open(*args, **kwargs)


@pytest.fixture
def officer(client, session, make_village, make_gateway, make_admin, login):
    scenario.load(session, make_village, make_gateway)
    set_clock(client.application, lambda: scenario.NOW)
    login(make_admin("province", "64"))
    client.__class__ = _FreshLocale
    return client


def _text(page: str) -> str:
    """The page's visible words and attribute values, entities decoded."""
    return html.unescape(page)


def _switch_href(page: str) -> str:
    found = re.search(r'<a href="([^"]+)" class="link" data-testid="lang-switch"', page)
    assert found, "no language switch on the report page"
    return html.unescape(found.group(1))


def test_report_pages_are_indonesian_by_default(officer):
    for path, (indonesian, english) in PAGES.items():
        page = _text(officer.get(path).get_data(as_text=True))
        assert '<html lang="id">' in page, path
        assert indonesian in page and english not in page, path
        assert ">English</a>" in page, path
    village = officer.get(VILLAGE_PAGE).get_data(as_text=True)
    for words in ("<title>Pengguna per hari</title>", "Pengguna per hari: tertinggi 2",
                  "<title>Rata-rata pengguna per jam</title>", ">Senin</th>", "&lt; 5 menit",
                  "43 menit", "Penggunaan per hari, 2026-11-20 sampai 2026-11-21"):  # fmt: skip
        assert words in village, words


def test_every_report_page_in_english_after_the_consoles_switch(officer):
    token = csrf_token(officer, "/admin/")
    officer.post("/admin/language", data={"lang": "en", "csrf_token": token})
    for path, (indonesian, english) in PAGES.items():
        response = officer.get(path)
        assert response.status_code == 200, path
        page = _text(response.get_data(as_text=True))
        assert '<html lang="en">' in page, path
        assert english in page and indonesian not in page, path
        left = [word for word in LEFTOVERS if word in page]
        assert left == [], (path, left)
        assert 'lang="id">Bahasa Indonesia</a>' in page, path
    raw = officer.get(VILLAGE_PAGE).get_data(as_text=True)
    village = _text(raw)
    for words in ("Data per day", "Busy hours (average users per hour)", "Session length",
                  "Central server outages and emergency access", "Emergency logins",
                  "<title>Users per day</title>", "Users per day: highest 2",
                  "<title>Average users per hour</title>", ">Mon</th>", "< 5 min",
                  "43 min"):  # fmt: skip
        assert html.escape(words, quote=False) in raw or words in village, words
    for indonesian in ("Senin", "tertinggi", " menit", " jam "):
        assert indonesian not in village, indonesian
    # Back to Indonesian with the same switch: the default pages again.
    officer.post("/admin/language", data={"lang": "id", "csrf_token": token})
    assert "Ikhtisar desa" in officer.get("/reports/").get_data(as_text=True)


def test_the_reports_switch_keeps_the_page_and_its_range(officer):
    page = officer.get(VILLAGE_PAGE).get_data(as_text=True)
    href = _switch_href(page)
    assert href.startswith(f"/reports/desa/{WITA_VILLAGE}?")
    assert "dari=2026-11-20" in href and "sampai=2026-11-21" in href and "lang=en" in href
    response = officer.get(href)
    assert officer.get_cookie("lang").value == "en"  # the console's cookie: one choice
    assert "Users per day" in response.get_data(as_text=True)
    # The cookie carries the choice to the next report and to the console.
    assert "Village overview" in officer.get("/reports/").get_data(as_text=True)
    assert '<html lang="en">' in officer.get("/admin/").get_data(as_text=True)
    back = _switch_href(officer.get("/reports/?urut=hari_ini&arah=turun").get_data(as_text=True))
    assert "urut=hari_ini" in back and "lang=id" in back
    officer.get(back)
    assert officer.get_cookie("lang").value == "id"
    assert "Ikhtisar desa" in officer.get("/reports/").get_data(as_text=True)


def test_an_unknown_language_falls_back_to_indonesian(officer):
    page = officer.get("/reports/?lang=xx").get_data(as_text=True)
    assert "Ikhtisar desa" in page and '<html lang="id">' in page


def test_figures_and_downloads_do_not_change_with_the_language(officer):
    indonesian = officer.get(VILLAGE_PAGE).get_data(as_text=True)
    query = "?scope=64&from=2026-11-20&to=2026-11-21&group=day&format=csv&variant=internal"
    response = officer.get("/reports/unduh/data" + query)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    csv_id = response.data
    officer.get("/reports/?lang=en")
    english = officer.get(VILLAGE_PAGE).get_data(as_text=True)
    figures = re.compile(r'data-(?:users|bytes|day|emergency-\w+)="[^"]*"')
    assert figures.findall(indonesian) == figures.findall(english) != []
    assert "10,0 MB" in english  # numbers keep the console's Indonesian format
    assert officer.get("/reports/unduh/data" + query).data == csv_id


def test_names_and_query_values_in_translated_text_stay_escaped(officer, session):
    """A village name inside a translated sentence ("Desa %(name)s") and a query value
    carried into the language switch's link come out as text, never as markup."""
    payloads = load_payloads()[:8]
    village_heading = {"id": "<h1>Desa {}</h1>", "en": "<h1>{} Village</h1>"}
    village = session.get(Village, WITA_VILLAGE)
    for payload in payloads:
        village.name = payload
        session.commit()
        for language in ("id", "en"):
            response = officer.get(f"{VILLAGE_PAGE}&lang={language}&x={quote(payload)}")
            page = response.get_data(as_text=True)
            assert response.status_code == 200
            assert payload not in page or str(escape(payload)) == payload, payload
            assert village_heading[language].format(escape(payload)) in page


def test_a_bad_range_is_refused_in_the_chosen_language(officer):
    bad = f"/reports/desa/{WITA_VILLAGE}?dari=2026-11-21&sampai=2026-11-20"
    response = officer.get(bad)
    assert response.status_code == 400
    assert "Rentang tanggal harus 1–366 hari" in response.get_data(as_text=True)
    response = officer.get(bad + "&lang=en")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "The date range must be 1–366 days" in page and "Rentang tanggal" not in page
    response = officer.get(f"/reports/desa/{WITA_VILLAGE}?dari=kemarin&lang=en")
    assert "Dates must look like YYYY-MM-DD" in response.get_data(as_text=True)
