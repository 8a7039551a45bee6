"""The voucher sheet as Chromium prints it: on A4 (three cards a row) and on a 58 mm
thermal roll, every code stays on one line inside its card and every QR code is at
least 38 mm wide."""

from __future__ import annotations

import pytest

from tests.admin.browser import chromium, live_server, needs_chromium
from tests.admin.test_voucher_browser import PRINT_HOOK, _log_in_and_print

pytestmark = [pytest.mark.browser, needs_chromium]

MM = 96 / 25.4  # CSS pixels per millimetre
#: The printable area of A4 with the sheet's 8 mm page margins, in CSS pixels.
A4_PRINTABLE = (round((210 - 16) * MM), round((297 - 16) * MM))

MEASURE = """() => Array.from(document.querySelectorAll(".card-v")).map((card) => {
  const code = card.querySelector(".code");
  const range = document.createRange();
  range.selectNodeContents(code);
  const tops = new Set(Array.from(range.getClientRects()).map((r) => Math.round(r.top)));
  const box = card.getBoundingClientRect();
  const text = range.getBoundingClientRect();
  return {
    code: code.textContent.trim(),
    lines: tops.size,
    inside: text.left >= box.left - 0.5 && text.right <= box.right + 0.5,
    qr: card.querySelector("svg.qr").getBoundingClientRect().width,
  };
})"""


def measure(page) -> list[dict]:
    cards = page.evaluate(MEASURE)
    assert cards
    return cards


def test_every_code_is_on_one_line_and_every_qr_is_large_on_a4_and_thermal(app, make_admin):
    admin = make_admin("kab", "regency", "64.01")
    with live_server(app) as base, chromium() as browser:
        page = browser.new_page(viewport={"width": 390, "height": 844})
        page.add_init_script(PRINT_HOOK)
        codes = _log_in_and_print(page, base, admin, count=12)
        page.click("text=Cetak sekarang (A4)")
        page.emulate_media(media="print")
        page.set_viewport_size({"width": A4_PRINTABLE[0], "height": A4_PRINTABLE[1]})
        cards = measure(page)
        assert [card["code"] for card in cards] == codes
        rows = page.evaluate(
            "new Set(Array.from(document.querySelectorAll('.card-v'))"
            ".map((c) => Math.round(c.getBoundingClientRect().top))).size"
        )
        assert rows == 4  # three cards a row
        for card in cards:
            assert card["lines"] == 1, card
            assert card["inside"], card
            assert card["qr"] >= 38 * MM, card
        page.emulate_media(media="screen")
        page.click("text=Cetak termal 58 mm")
        page.emulate_media(media="print")
        page.set_viewport_size({"width": round(54 * MM), "height": 800})  # 58 mm less margins
        for card in measure(page):
            assert card["lines"] == 1, card
            assert card["inside"], card
            assert card["qr"] >= 38 * MM, card
