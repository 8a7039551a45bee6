"""End to end in Chromium: log in with TOTP, create a voucher batch, print the sheet.

The QR codes are read back from screenshots of the printed page, so what a phone's
camera would see is what is checked.
"""

from __future__ import annotations

import io

import pyotp
import pytest
import zxingcpp
from PIL import Image

from portal.domain import qr
from tests.admin.browser import chromium, live_server, needs_chromium
from tests.admin.conftest import VILLAGE_A

pytestmark = [pytest.mark.browser, needs_chromium]

PRINT_HOOK = "window.__printed = 0; window.print = function () { window.__printed += 1; };"


def _decode_png(png: bytes) -> str:
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(results) == 1
    return results[0].text


def test_totp_login_create_batch_and_print_the_sheet(app, make_admin):
    admin = make_admin("kab", "regency", "64.01")
    with live_server(app) as base, chromium() as browser:
        page = browser.new_page(viewport={"width": 390, "height": 844})  # a phone
        page.add_init_script(PRINT_HOOK)
        page.goto(f"{base}/admin/login")
        page.fill("#username", admin.username)
        page.fill("#password", admin.password)
        page.click("form.card button[type=submit]")
        page.wait_for_url(f"{base}/admin/login/totp")
        page.fill("#code", pyotp.TOTP(admin.totp_secret).now())
        page.click("form.card button[type=submit]")
        page.wait_for_url(f"{base}/admin/")

        page.goto(f"{base}/admin/vouchers")
        page.select_option("#village", VILLAGE_A)
        page.fill("#count", "6")
        page.fill("#valid_days", "3")
        page.fill("#daily_mb", "500")
        page.click("text=Buat dan cetak sekarang")
        page.wait_for_selector("[data-testid=voucher-sheet]")
        codes = page.eval_on_selector_all(".card-v", "cards => cards.map(c => c.dataset.code)")
        assert len(codes) == 6

        page.click("text=Cetak sekarang (A4)")
        assert page.evaluate("window.__printed") == 1
        assert "layout-a4" in page.evaluate("document.body.className")
        page.emulate_media(media="print")
        page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
        assert not page.is_visible(".top")  # navigation is not printed
        for index in (0, 5):
            card = page.locator(".card-v").nth(index)
            png = card.locator("svg.qr").screenshot(scale="device")
            assert _decode_png(png) == qr.voucher_url("https://portal.example.id", codes[index])

        page.emulate_media(media="screen")
        page.click("text=Cetak termal 58 mm")
        assert "layout-thermal" in page.evaluate("document.body.className")


@pytest.mark.skip(reason="FOR THE LEAD after merging branch splash: redeem a printed code")
def test_a_printed_voucher_is_redeemed_through_the_splash():  # pragma: no cover
    """After merge: continue the test above by opening the QR's URL
    (``/hotspot/voucher?code=…``) through the splash with a simulated router's
    login.html post, and assert the splash hands the router a working credential and
    the batch page then shows the voucher as "sedang dipakai"."""
