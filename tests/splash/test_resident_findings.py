"""Findings of issue 14 on the residents' pages: the full terms keep their numbered
points as a list, and a phone whose quota is spent under the throttle policy is told
that it will be slower instead of being offered "0 kB dari 1 GB" without a word."""

from __future__ import annotations

import re

from flask import Flask

from portal.config import utcnow
from portal.database import db
from portal.domain.content.terms import Block, full_text_blocks
from portal.models import Policy
from portal.splash.formatting import speed
from portal.world import World as Factory
from tests.splash.conftest import World, record_usage_today


def test_the_full_terms_page_shows_numbered_points_as_one_list(
    portal_app: Flask, portal_client, world: World
) -> None:
    with portal_app.app_context():
        factory = Factory(db.session, now=utcnow(), master_key=world.settings.secret_key)
        factory.terms("64.01", "a\nb\nc", "Ketentuan Wifi Desa\n1. Gratis.\n2. Adil.\n3. Aman.")
        db.session.commit()
    page = portal_client.get("/desa/samurangau/syarat").get_data(as_text=True)
    assert re.search(
        r"<p>Ketentuan Wifi Desa</p>\s*<ol class=\"terms\"><li>Gratis.</li><li>Adil.</li>"
        r"<li>Aman.</li></ol>",
        page,
    ), page[page.find("<h2") :]
    assert "1. Gratis" not in page


def test_points_parted_by_blank_lines_stay_one_list_and_text_stays_text() -> None:
    text = "Judul\n\n1. Satu\nlanjutan\n\n2) Dua\n\n- a\n- b <script>\n\nPenutup\nbaris dua"
    assert full_text_blocks(text) == [
        Block("p", ("Judul",)),
        Block("ol", ("Satu lanjutan", "Dua")),
        Block("ul", ("a", "b <script>")),
        Block("p", ("Penutup", "baris dua")),
    ]
    assert full_text_blocks("") == []


def test_the_splash_inline_terms_are_lists_too(world: World, open_splash) -> None:
    html = open_splash().get_data(as_text=True)
    details = html[html.find("<details>") : html.find("</details>")]
    assert '<ol class="terms"><li>Layanan ini disediakan' in details
    assert "<p>1. " not in details


def throttle(portal_app: Flask) -> None:
    with portal_app.app_context():
        db.session.add(
            Policy(scope_kode="64.01", daily_mb=1000, on_exhausted="throttle",
                   throttle_rate="256k/512k", updated_at=utcnow())
        )  # fmt: skip
        db.session.commit()


def test_a_spent_quota_under_throttle_says_the_connection_will_be_slower(
    portal_app: Flask, world: World, open_splash
) -> None:
    throttle(portal_app)
    record_usage_today(portal_app, world, bytes_total=1_000_000_000, seconds_total=0, sessions=1)
    html = open_splash().get_data(as_text=True)  # no error from the router: just reopened
    assert "Setuju &amp; Sambungkan</button>" in html or "Setuju & Sambungkan</button>" in html
    notice = re.search(r'data-testid="throttled-notice">(.*?)</p>', html, re.S)
    assert notice, "the resident is not told about the slower connection"
    assert "lebih lambat (maks. 512 kbit/s)" in notice.group(1)
    assert "00.00 WITA" in notice.group(1)
    assert 'data-testid="throttled"' in html  # in the quota box as well


def test_the_throttle_notice_is_in_english_too(
    portal_app: Flask, portal_client, world: World, open_splash
) -> None:
    throttle(portal_app)
    record_usage_today(portal_app, world, bytes_total=1_000_000_000, seconds_total=0, sessions=1)
    portal_client.set_cookie("lang", "en")
    html = open_splash().get_data(as_text=True)
    assert "at a slower speed (max. 512 kbit/s)" in html


def test_no_notice_while_quota_is_left(portal_app: Flask, world: World, open_splash) -> None:
    throttle(portal_app)
    record_usage_today(portal_app, world, bytes_total=5_000_000, seconds_total=0, sessions=1)
    html = open_splash().get_data(as_text=True)
    assert "throttled" not in html


def test_speed_reads_the_download_side_of_a_rate_limit() -> None:
    assert speed("256k/512k") == "512 kbit/s"
    assert speed("2M/4M 4M/8M 2M/4M 10/10") == "4 Mbit/s"
    assert speed("1M") == "1 Mbit/s"
    assert speed("") == ""
