"""End to end in Chromium: log in with TOTP, create a voucher batch, print the sheet.

The QR codes are read back from screenshots of the printed page, so what a phone's
camera would see is what is checked.
"""

from __future__ import annotations

import io
from urllib.parse import parse_qs, urlencode, urlsplit

import pyotp
import pytest
import sqlalchemy as sa
import zxingcpp
from PIL import Image

from portal import settings_of
from portal.config import utcnow
from portal.database import db
from portal.domain.access import vouchers
from portal.domain.network import gateways
from portal.models import VoucherBatch
from portal.web import qr
from radius.server import start
from tests.admin.browser import chromium, live_server, needs_chromium
from tests.admin.conftest import VILLAGE_A
from tests.splash.browser import FakeRouter
from tests.splash.conftest import CHAP_CHALLENGE, CHAP_ID, MAC, NAS_ID, router_fields

pytestmark = [pytest.mark.browser, needs_chromium]

#: The router's hotspot address in these tests: loopback, and intercepted by the browser.
ROUTER = "http://127.0.0.1:9"
PRINT_HOOK = "window.__printed = 0; window.print = function () { window.__printed += 1; };"


def _decode_png(png: bytes) -> str:
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(results) == 1
    return results[0].text


def _log_in_and_print(page, base: str, admin, count: int) -> list[str]:
    """Log in with TOTP, create a batch of ``count`` codes and return the printed codes."""
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
    page.fill("#count", str(count))
    page.fill("#valid_days", "3")
    page.fill("#daily_mb", "500")
    page.click("text=Buat dan cetak sekarang")
    page.wait_for_selector("[data-testid=voucher-sheet]")
    return page.eval_on_selector_all(".card-v", "cards => cards.map(c => c.dataset.code)")


def test_totp_login_create_batch_and_print_the_sheet(app, make_admin):
    admin = make_admin("kab", "regency", "64.01")
    with live_server(app) as base, chromium() as browser:
        page = browser.new_page(viewport={"width": 390, "height": 844})  # a phone
        page.add_init_script(PRINT_HOOK)
        codes = _log_in_and_print(page, base, admin, count=6)
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


def test_a_printed_voucher_is_redeemed_through_the_splash(app, make_admin):
    """The card's QR page remembers the code, the router's login page brings the phone
    to the splash with the code filled in, and the credential it hands the router is
    accepted by our RADIUS server, which binds the voucher (then "sedang dipakai")."""
    admin = make_admin("kab", "regency", "64.01")
    with app.app_context():
        gateway = gateways.add_gateway(
            db.session,
            village_code=VILLAGE_A,
            nas_identifier=NAS_ID,
            address="127.0.0.1",
            now=utcnow(),
        ).gateway
        secret = gateway.secret
        db.session.commit()
    settings = settings_of(app)
    server = start(settings, "127.0.0.1", 0, reject_delay=0.0)
    try:
        with live_server(app) as base, chromium() as browser:
            page = browser.new_page(viewport={"width": 390, "height": 844})
            page.add_init_script(PRINT_HOOK)
            (printed,) = _log_in_and_print(page, base, admin, count=1)
            code = vouchers.normalize_code(printed)
            assert code is not None

            phone = browser.new_context(viewport={"width": 360, "height": 640}).new_page()
            phone.goto(f"{base}/hotspot/voucher?code={printed.lower()}")
            router_logins: list[str] = []

            def router(route):  # the router's /login, answered without any network
                router_logins.append(route.request.url)
                route.fulfill(status=200, body="ok")

            phone.route(f"{ROUTER}/**", router)
            fields = router_fields(
                identity=NAS_ID, link_login_only=f"{ROUTER}/login", link_status=f"{ROUTER}/status"
            )
            phone.goto(f"{base}/hotspot?{urlencode(fields)}")
            assert phone.input_value("#voucher") == printed
            phone.click("text=Pakai voucher")
            phone.wait_for_url(f"{ROUTER}/login*")

        (login,) = [parse_qs(urlsplit(url).query) for url in router_logins]
        assert login["username"] == [code]
        fake = FakeRouter(
            base,
            NAS_ID,
            MAC,
            settings.secret_key,
            radius_port=server.auth_port,
            radius_secret=secret,
            chap=(CHAP_ID, CHAP_CHALLENGE),
        )
        assert fake.login(code, login["password"][0], login["dst"][0]) is None
    finally:
        server.stop()
    with app.app_context():
        batch = db.session.scalars(sa.select(VoucherBatch)).one()
        (voucher,) = batch.vouchers
        assert vouchers.status(voucher, utcnow()) == "in-use"
