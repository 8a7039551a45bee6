"""The console's new pages in headless Chromium on a 360-pixel phone: the live village
search, adding a village, a policy from the satellite preset, a token; none of the pages
scrolls sideways."""

from __future__ import annotations

import pyotp
import pytest

from portal.database import db
from portal.domain.network import policies
from portal.world import World
from tests.admin.browser import chromium, live_server, needs_chromium
from tests.admin.conftest import NOW, VILLAGE_A
from tests.databases import TEST_SECRET_KEY

pytestmark = [pytest.mark.browser, needs_chromium]
LEGAI = "64.01.01.2012"


def _log_in(page, base, admin):
    page.goto(f"{base}/admin/login")
    page.fill("#username", admin.username)
    page.fill("#password", admin.password)
    page.click("form.card button[type=submit]")
    page.wait_for_url(f"{base}/admin/login/totp")
    page.fill("#code", pyotp.TOTP(admin.totp_secret).now())
    page.click("form.card button[type=submit]")
    page.wait_for_url(f"{base}/admin/")


def _overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


WIDE = """() => Array.from(document.querySelectorAll('body *'))
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1
    || e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX === 'visible')
  .map(e => e.tagName + '.' + e.className + '#' + (e.dataset.testid || ''))"""


def test_officer_adds_a_village_sets_a_policy_and_creates_a_token_on_a_phone(app, make_admin):
    admin = make_admin("kab", "regency", "64.01")
    with app.app_context():
        gateway = World(db.session, now=NOW, master_key=TEST_SECRET_KEY).gateway(
            VILLAGE_A, "samurangau-1", provider="PT Telkomsat", backhaul_class="satellite",
            contracted_mbps=2, programme="BAKTI", contract_end=NOW.date(),
        )  # fmt: skip
        db.session.commit()
        gateway_id = gateway.id
    with live_server(app) as base, chromium() as browser:
        page = browser.new_page(viewport={"width": 360, "height": 640})
        _log_in(page, base, admin)

        # Live search: results appear while typing, without submitting the form.
        page.click("nav >> text=Desa")
        page.click("text=Tambah desa")
        page.type("#q", "legai", delay=30)
        # "le" and "leg" may list Legai too: wait for the answer to the whole word.
        for _ in range(100):  # at most 10 s
            if page.url.endswith("?q=legai"):
                break
            page.wait_for_timeout(100)
        assert page.url.endswith("?q=legai")
        assert page.locator("ul.results li").count() == 1
        assert "Batu Sopang" in page.inner_text(f'li[data-kode="{LEGAI}"]')
        assert _overflow(page) <= 0
        page.click(f'li[data-kode="{LEGAI}"] >> text=Pilih')
        page.fill("#ssid", "WiFi Gratis Legai")
        assert _overflow(page) <= 0
        page.click("form.card button[type=submit]")
        page.wait_for_selector(f'[data-testid=village-list] tr[data-kode="{LEGAI}"]')
        assert _overflow(page) <= 0

        # The regency default from the satellite preset, saved as filled in.
        page.goto(f"{base}/admin/policies/regency/64.01")
        page.click("[data-preset=satellite]")
        assert page.input_value("#rate_limit") == "256k/1M"
        assert _overflow(page) <= 0
        page.click("form.card button[type=submit]")
        page.wait_for_selector(f'[data-testid=effective-policies] tr[data-kode="{LEGAI}"]')
        cell = page.locator(f'tr[data-kode="{LEGAI}"] td[data-field="daily_mb"]')
        assert cell.get_attribute("data-source") == "regency"
        assert _overflow(page) <= 0
        page.goto(f"{base}/admin/policies/village/{VILLAGE_A}")
        assert "Satelit (VSAT/LEO)" in page.inner_text("main")  # the router's backhaul
        assert _overflow(page) <= 0

        # A token, shown once.
        page.click("nav >> text=Token API")
        page.fill("#label", "Dasbor Satu Data")
        page.click("form.card button[type=submit]")
        token = page.inner_text("[data-testid=token-value]")
        assert token.startswith("wd_")
        assert _overflow(page) <= 0

        # The contract ending today is flagged on the dashboard and the gateway.
        page.goto(f"{base}/admin/")
        assert page.is_visible("[data-testid=contracts-ending]")
        # (The villages table below it is the phone layout's work; this section fits.)
        box = page.locator("[data-testid=contracts-ending]").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 360
        paths = ("/admin/gateways", "/admin/gateways/new", "/reports/unduh",
                 f"/admin/gateways/{gateway_id}/edit", f"/admin/villages/{LEGAI}/edit",
                 "/admin/villages/search?q=muara")  # fmt: skip
        for path in paths:
            page.goto(f"{base}{path}")
            assert _overflow(page) <= 0, (path, page.evaluate(WIDE))
        # The gateway page's installation steps (a long command) are not this work's;
        # its inventory table fits.
        page.goto(f"{base}/admin/gateways/{gateway_id}")
        box = page.locator("[data-testid=inventory]").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 360
        assert page.is_visible("[data-testid=contract-flag]")
    with app.app_context():
        assert policies.effective_policy(db.session, LEGAI).daily_mb == 150
