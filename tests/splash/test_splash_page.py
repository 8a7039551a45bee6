"""The splash page: content, order, language, weight, queries, refusals, privacy."""

from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from portal.config import utcnow
from portal.database import db
from portal.models import Announcement, LoginGrant, Policy
from portal.splash import SNAPSHOTS
from portal.splash.snapshots import SnapshotCache
from tests.splash.conftest import MAC, NAS_ID, World, record_usage_today, router_fields

STATIC = Path(__file__).resolve().parents[2] / "portal" / "static"
BUDGET = 30 * 1024


def test_splash_shows_village_terms_button_voucher_quota_and_news(world, open_splash) -> None:
    page = open_splash()
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Desa Samurangau" in html and "Kecamatan Batu Sopang" in html
    assert "Setuju & Sambungkan" in html
    assert html.count("<li>") >= 4 and "Baca syarat lengkap" in html
    assert 'for="voucher"' in html and 'id="voucher"' in html
    assert "Sisa kuota hari ini" in html and "1 GB dari 1 GB" in html
    assert page.headers["Cache-Control"] == "no-store"
    assert '<html lang="id">' in html


def test_router_fields_come_back_as_a_303_to_a_ticket(portal_client: FlaskClient, world) -> None:
    for send in (portal_client.post, lambda url, data: portal_client.get(url, query_string=data)):
        entry = send("/hotspot", data=router_fields())
        assert entry.status_code == 303
        location = entry.headers["Location"]
        assert location.startswith("/hotspot?t=")
        assert "AA" not in location.split("t=")[1][:0] and MAC not in location


def test_english_is_one_tap_away_and_remembered(portal_client: FlaskClient, world, open_splash):
    page = open_splash().get_data(as_text=True)
    link = re.search(r'href="(/hotspot\?t=[^"]+lang=en)"', page).group(1).replace("&amp;", "&")
    english = portal_client.get(link)
    html = english.get_data(as_text=True)
    assert "Agree & Connect" in html and "Village news" in html and '<html lang="en">' in html
    assert "lang=en" in english.headers.get("Set-Cookie", "")
    again = open_splash().get_data(as_text=True)
    assert "Agree & Connect" in again


def test_announcements_emergency_then_pinned_then_newest_in_their_window(
    portal_app: Flask, world: World, open_splash
) -> None:
    now = utcnow()
    with portal_app.app_context():
        add = db.session.add
        base = {"village_kode": world.village_kode, "created_at": now, "updated_at": now}
        add(Announcement(title="Banjir: mengungsi ke balai desa", emergency=True, **base))
        add(Announcement(title="Belum mulai", starts_at=now + timedelta(hours=1), **base))
        add(Announcement(title="Sudah lewat", ends_at=now - timedelta(minutes=1), **base))
        add(Announcement(title="Draf", published=False, **base))
        db.session.commit()
    html = open_splash().get_data(as_text=True)
    titles = re.findall(r"<h[23]>(?:<span[^>]*>[^<]*</span> )?([^<]+)</h[23]>", html)
    titles = [title for title in titles if title != "Syarat penggunaan"]
    assert titles[0] == "Banjir: mengungsi ke balai desa"
    assert titles[1] == "Musyawarah Desa RKP Desa 2027"  # pinned
    assert titles[2] == "Posyandu Balita bulan ini"  # newest of the rest
    for hidden in ("Belum mulai", "Sudah lewat", "Draf"):
        assert hidden not in html
    assert html.index("Banjir") < html.index("Setuju & Sambungkan")


class _References(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("src", "href", "action", "srcset", "poster", "data") and value:
                self.urls.append(value)
            if name == "style" or (name == "rel" and value == "preconnect"):
                self.urls.append(f"{name}={value}")


def test_splash_stays_under_budget_and_loads_nothing_from_outside(world, open_splash) -> None:
    html = open_splash().data
    css = (STATIC / "splash.css").read_bytes()
    assert len(html) + len(css) < BUDGET, len(html) + len(css)
    parser = _References()
    parser.feed(html.decode())
    assert parser.urls
    for url in parser.urls:
        # Paths on the portal, or the empty inline icon (which spares a /favicon.ico fetch).
        assert (url.startswith("/") and not url.startswith("//")) or url == "data:,", url
    assert b"<script" not in html and b"@import" not in css and b"url(" not in css


def test_one_render_costs_a_bounded_number_of_queries(
    portal_app: Flask, portal_client: FlaskClient, world, open_splash, count_queries
) -> None:
    open_splash()  # warm: today's pseudonym key and the village snapshot are cached
    with count_queries() as entry_sql:
        entry = portal_client.post("/hotspot", data=router_fields())
    with count_queries() as render_sql:
        page = portal_client.get(entry.headers["Location"])
    assert page.status_code == 200
    # Entry: the gateway with its village. Render: the device's day counters.
    assert len(entry_sql) <= 1, "\n".join(entry_sql)
    assert len(render_sql) <= 1, "\n".join(render_sql)
    # Cold (a new village snapshot): village, terms, bulletin and policy on top.
    portal_app.extensions[SNAPSHOTS].clear()
    with count_queries() as cold_sql:
        assert portal_client.get(entry.headers["Location"]).status_code == 200
    assert len(cold_sql) <= 5, "\n".join(cold_sql)


def test_village_content_is_cached_for_a_few_seconds(
    portal_app: Flask, world: World, open_splash
) -> None:
    moment = [0.0]
    portal_app.extensions[SNAPSHOTS] = SnapshotCache(ttl=10, monotonic=lambda: moment[0])
    assert "Banjir" not in open_splash().text
    now = utcnow()
    with portal_app.app_context():
        db.session.add(
            Announcement(
                village_kode=world.village_kode,
                title="Banjir",
                emergency=True,
                created_at=now,
                updated_at=now,
            )
        )
        db.session.commit()
    moment[0] = 9.0
    assert "Banjir" not in open_splash().text
    moment[0] = 10.5
    assert "Banjir" in open_splash().text


def test_unknown_gateway_and_foreign_login_link_get_a_clear_400(
    portal_app: Flask, portal_client: FlaskClient, world
) -> None:
    unknown = portal_client.post("/hotspot", data=router_fields(identity="not-ours"))
    assert unknown.status_code == 400 and "belum terdaftar" in unknown.get_data(as_text=True)
    foreign = portal_client.post(
        "/hotspot", data=router_fields(link_login_only="http://evil.example/login")
    )
    text = foreign.get_data(as_text=True)
    assert foreign.status_code == 400 and "tidak sah" in text and "evil.example" not in text
    with portal_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(LoginGrant)) == 0


def test_configured_hotspot_host_is_the_only_one_accepted(
    portal_app: Flask, portal_client: FlaskClient, world
) -> None:
    with portal_app.app_context():
        db.session.execute(sa.text("UPDATE gateway SET hotspot_host = 'login.samurangau.id'"))
        db.session.commit()
    private = portal_client.post("/hotspot", data=router_fields())
    assert private.status_code == 400
    named = portal_client.post(
        "/hotspot", data=router_fields(link_login_only="http://login.samurangau.id/login")
    )
    assert named.status_code == 303


def test_spent_quota_says_when_it_resets_in_local_time(
    portal_app: Flask, world: World, open_splash
) -> None:
    record_usage_today(portal_app, world, bytes_total=1_024_000_000, seconds_total=600, sessions=1)
    html = open_splash(error="Kuota harian Anda sudah habis.").get_data(as_text=True)
    assert "Kuota harian Anda sudah habis." in html
    assert "Kuota baru mulai besok pukul 00.00 WITA." in html
    assert "Data: 0 kB dari 1 GB" in html, html[html.find("quota-h") :][:400]
    assert "Setuju & Sambungkan</button>" not in html  # refused until midnight …
    assert "Pakai voucher" in html  # … but a voucher lifts the limit


def test_throttled_policy_keeps_the_button(portal_app: Flask, world: World, open_splash) -> None:
    now = utcnow()
    with portal_app.app_context():
        db.session.add(
            Policy(scope_kode="64.01", daily_mb=1, on_exhausted="throttle", updated_at=now)
        )
        db.session.commit()
    record_usage_today(portal_app, world, bytes_total=5_000_000, seconds_total=0, sessions=1)
    html = open_splash(error="user has reached traffic limit").get_data(as_text=True)
    assert "kecepatan rendah" in html and "Setuju & Sambungkan</button>" in html


def test_router_error_is_shown_only_as_text(open_splash, world) -> None:
    html = open_splash(error='<img src=x onerror=alert(1)>"quoted"').get_data(as_text=True)
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "<img" not in html
    assert "Belum berhasil tersambung." in html


def test_no_mac_or_client_ip_is_stored_or_rendered(
    portal_app: Flask, portal_client: FlaskClient, world, open_splash
) -> None:
    page = open_splash()
    from tests.splash.conftest import ticket_of

    accepted = portal_client.post("/hotspot/accept", data={"t": ticket_of(page)})
    assert accepted.status_code == 303
    needles = {MAC, MAC.replace(":", ""), MAC.lower(), "10.5.50.23"}
    assert not any(n in page.get_data(as_text=True) for n in needles)
    with portal_app.app_context():
        for table in db.metadata.sorted_tables:
            for row in db.session.execute(sa.select(table)):
                text = " ".join(str(value) for value in row)
                assert not any(n in text for n in needles), table.name


def test_router_side_page_is_tiny_and_posts_every_variable(
    portal_client: FlaskClient, world
) -> None:
    page = portal_client.get(f"/mt/{NAS_ID}/login.html")
    assert page.status_code == 200 and len(page.data) < 2048
    html = page.get_data(as_text=True)
    assert 'action="http://portal.test/hotspot" method="post"' in html
    for name in router_fields():
        assert f'name="{name}" value="$({name})"' in html
    assert 'type="submit"' in html and "document.f.submit()" in html
    assert portal_client.get("/mt/nope/login.html").status_code == 404


def test_long_announcements_and_terms_still_fit_the_budget(
    portal_app: Flask, world: World, open_splash, portal_client: FlaskClient
) -> None:
    now = utcnow()
    paragraph = "<p>" + "Rincian kegiatan pembangunan desa tahun anggaran 2026. " * 40 + "</p>"
    with portal_app.app_context():
        db.session.execute(sa.delete(Announcement))
        for index in range(5):
            db.session.add(
                Announcement(
                    village_kode=world.village_kode,
                    title=f"APBDes bagian {index + 1}: " + "rincian " * 12,
                    body_html=paragraph * 5,
                    emergency=index == 0,
                    created_at=now,
                    updated_at=now,
                )
            )
        db.session.execute(
            sa.text("UPDATE terms_version SET full_text = :text"), {"text": "Pasal. " * 3000}
        )
        db.session.commit()
    html = open_splash().data
    css = (STATIC / "splash.css").read_bytes()
    assert len(html) + len(css) < BUDGET, len(html) + len(css)
    text = html.decode()
    assert text.count("Selengkapnya") == 5 and 'href="/desa/samurangau/syarat"' in text
    full = portal_client.get("/desa/samurangau")
    assert full.text.count("Rincian kegiatan") == 5 * 5 * 40
    terms_page = portal_client.get("/desa/samurangau/syarat")
    assert terms_page.status_code == 200 and terms_page.text.count("Pasal.") == 3000


def test_router_api_json_names_the_bulletin_as_venue_info(
    portal_client: FlaskClient, world
) -> None:
    page = portal_client.get(f"/mt/{NAS_ID}/api.json")
    assert page.status_code == 200
    assert '"venue-info-url": "http://portal.test/desa/samurangau"' in page.text
    assert '"user-portal-url": "$(link-login-only)"' in page.text
    assert portal_client.get("/mt/nope/api.json").status_code == 404
