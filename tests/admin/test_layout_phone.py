"""Every console and report page on a 360 × 640 phone, in headless Chromium.

The pages are read from ``app.url_map`` (every GET route of the admin and reports
blueprints), so a page added later is checked the moment it exists; a route whose
parameters this test cannot fill from the seeded world fails loudly instead of being
skipped. On each page, as a regency officer and as a village operator:

* nothing scrolls sideways: ``document.documentElement.scrollWidth <= innerWidth``;
* every visible button, link and ``<summary>`` is at least 48 px tall (WCAG 2.5.5's
  44 px, rounded up to Android's 48 dp). The one exception is WCAG 2.5.8's "inline"
  case: a link inside a sentence of a paragraph or list item, whose height is the line
  height of the text around it; making it 48 px would tear the sentence apart;
* a short cell (a date, a figure, a state) takes at most two lines.

With ``$WIFIDESA_LAYOUT_SHOTS`` set, a screenshot of every page is kept there; without
it, one of every page that has a problem, in a temporary folder. The folder's path is
printed at the end of the run.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pyotp
import pytest
import sqlalchemy as sa
from flask import Flask

from portal import create_app
from portal.config import Settings
from portal.database import db
from portal.domain.network import inventory
from portal.domain.notify import channels, outbox
from portal.models import Gateway, Notification
from portal.web.context import settings_of
from tests.admin.browser import chromium, live_server, needs_chromium
from tests.admin.conftest import PASSWORD, build_app, create_admin, forget_totp_step
from tests.admin.world import VillageObjects, seed_world

pytestmark = [pytest.mark.browser, needs_chromium]

WIDTH, HEIGHT = 360, 640
BLUEPRINTS = ("admin.", "reports.")
#: GET routes that answer with something other than an HTML page, and why.
NOT_PAGES = {
    "admin.gateway_script": "the router script is a RouterOS .rsc text file",
    "admin.bulletin_picture": "an announcement's picture is an image",
}
#: Pages only reachable half-way through logging in: checked during the login itself.
LOGIN_STEPS = {"admin.login", "admin.login_totp", "admin.totp_enrol_pending"}
#: Pages outside the two blueprints that a phone also opens from the console.
EXTRA_PAGES = ["/", "/tidak-ada"]
#: Console pages whose content shows only with a query or for a village not yet set up
#: (the route alone shows an empty search form, or redirects to the edit page).
QUERY_PAGES = [
    "/admin/villages/search?q=muara+adang",
    "/admin/villages/new/64.01.01.2012",
    "/admin/policies/regency/64.01?preset=satellite",
]

MEASURE = """() => {
  const visible = (el) => {
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    return box.width > 0 && box.height > 0 && style.visibility !== "hidden";
  };
  const inSentence = (el) => {
    if (el.tagName !== "A") return false;
    const block = el.closest("p, li");
    if (!block || block.closest("nav")) return false;
    const own = el.textContent.trim();
    return block.textContent.replace(own, "").trim().length > 0;
  };
  const label = (el) =>
    (el.textContent.trim() || el.getAttribute("aria-label") || el.outerHTML).slice(0, 60);
  const small = [];
  for (const el of document.querySelectorAll("a[href], button, summary, input[type=submit]")) {
    if (!visible(el) || inSentence(el)) continue;
    const height = el.getBoundingClientRect().height;
    if (height < 47.5) {
      small.push(`${el.tagName.toLowerCase()} "${label(el)}" ${height.toFixed(1)} px`);
    }
  }
  const wrapped = [];
  for (const cell of document.querySelectorAll("td, th")) {
    const text = cell.textContent.trim();
    if (!visible(cell) || !text || text.length > 32) continue;
    if (cell.querySelector("button, form, input, select")) continue;
    // One client rect per line of each text node: count the distinct line tops.
    const tops = new Set();
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!node.textContent.trim()) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      for (const rect of range.getClientRects()) {
        if (rect.width > 0) tops.add(Math.round(rect.top / 6));
      }
    }
    const lines = tops.size;
    if (lines > 2) wrapped.push(`"${text}" on ${lines} lines`);
  }
  const scrolled = (el) => {
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      if (["auto", "scroll"].includes(getComputedStyle(up).overflowX)) return true;
    }
    return false;
  };
  const wide = [];
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.right > innerWidth + 0.5 && visible(el) && !scrolled(el)) {
      wide.push(`${el.tagName.toLowerCase()}.${el.className} right=${box.right.toFixed(0)}`);
    }
  }
  // An action must be on the screen, not at the far end of a box scrolled sideways.
  const hidden = [];
  for (const el of document.querySelectorAll("button, input[type=submit]")) {
    const box = el.getBoundingClientRect();
    if (visible(el) && (box.left < 0 || box.right > innerWidth + 0.5)) hidden.push(label(el));
  }
  return {
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: innerWidth,
    small: small,
    wrapped: wrapped,
    wide: wide.slice(0, 5),
    offscreen: hidden,
  };
}"""


def page_rules() -> list[tuple[str, str]]:
    """(rule, endpoint) of every GET route of the admin and reports blueprints."""
    app = create_app(Settings(secret_key="only-for-listing-routes"))
    rules = [
        (rule.rule, rule.endpoint)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith(BLUEPRINTS) and "GET" in rule.methods
    ]
    return sorted(rules)


RULES = page_rules()
PAGES = [(rule, endpoint) for rule, endpoint in RULES if endpoint not in NOT_PAGES]


def fill(rule: str, objects: VillageObjects) -> str:
    """The rule with its parameters taken from the seeded village; fails on one it lacks."""
    path = rule
    for name, value in objects.url_values().items():
        path = re.sub(rf"<(?:[a-z]+:)?{name}>", str(value), path)
    missing = re.findall(r"<(?:[a-z]+:)?(\w+)>", path)
    assert not missing, (
        f"the phone layout test cannot fill {missing} in {rule}: seed the object in "
        "tests/admin/world.py (VillageObjects.url_values) so the page is checked"
    )
    return path


@pytest.fixture(scope="module")
def shots(request: pytest.FixtureRequest, tmp_path_factory) -> Iterator[Path]:
    folder = os.environ.get("WIFIDESA_LAYOUT_SHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("layout-360")
    path.mkdir(parents=True, exist_ok=True)
    yield path
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(f"phone layout screenshots: {path}")


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Iterator[tuple[Flask, VillageObjects]]:
    for app in build_app("sqlite", tmp_path_factory.mktemp("layout")):
        a, _ = seed_world(app)
        with app.app_context():  # a contract ending soon: the dashboard lists it
            gateway = db.session.get(Gateway, a.gateway_id)
            now = settings_of(app).clock()
            ends = now.date() + timedelta(days=10)
            stock = inventory.Inventory("Telkom Satelit Indonesia", "satellite", 4, "BAKTI", ends)
            inventory.set_inventory(db.session, gateway, stock, now=now)
            # The regency hears of trouble on Telegram: the notifications page lists the
            # outbox, one of its messages failed with a reason in words.
            telegram = channels.SettingsInput(
                telegram_enabled=True, telegram_token="123456789:" + "A" * 35,
                telegram_chat_id="-1001234567890", summary_time="17:00",
            )  # fmt: skip
            channels.save_settings(
                db.session, "64.01", telegram, master=settings_of(app).secret_key, now=now
            )
            assert outbox.enqueue_due(db.session, now) >= 1
            first = db.session.scalars(sa.select(Notification.id).order_by(Notification.id))
            outbox.record_failure(db.session, first.first(), "telegram-chat", now, permanent=True)
            db.session.commit()
        yield app, a


def check(page, name: str, shots: Path) -> list[str]:
    """Measure the open page and return what is wrong with it; save its screenshot when
    something is, or when ``$WIFIDESA_LAYOUT_SHOTS`` asks for every page. A page opened
    by a form's answer may still be loading its stylesheet when its selector appears:
    measure only once it has loaded."""
    page.wait_for_load_state("load")
    found = page.evaluate(MEASURE)
    problems = []
    if found["scrollWidth"] > found["innerWidth"]:
        problems.append(
            f"{name}: {found['scrollWidth']} px wide at {found['innerWidth']} px: {found['wide']}"
        )
    problems += [f"{name}: tap target {item}" for item in found["small"]]
    problems += [f"{name}: button off-screen: {item}" for item in found["offscreen"]]
    problems += [f"{name}: cell {item}" for item in found["wrapped"]]
    if problems or os.environ.get("WIFIDESA_LAYOUT_SHOTS"):
        page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
    return problems


def log_in(page, base: str, username: str, secret: str | None, shots: Path, tag: str) -> list:
    """Log in through the forms, checking the login pages on the way; returns problems."""
    page.goto(f"{base}/admin/login")
    problems = check(page, f"{tag}-admin.login", shots)
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("form.card button[type=submit]")
    page.wait_for_load_state()
    if page.url.endswith("/admin/login/totp/enrol"):
        problems += check(page, f"{tag}-admin.totp_enrol_pending", shots)
        return problems
    if secret:
        assert page.url.endswith("/admin/login/totp"), page.url
        problems += check(page, f"{tag}-admin.login_totp", shots)
        page.fill("#code", pyotp.TOTP(secret).now())
        page.click("form.card button[type=submit]")
    page.wait_for_url(f"{base}/admin/")
    return problems


def visit_all(page, base: str, objects: VillageObjects, shots: Path, tag: str) -> list[str]:
    problems = []
    for rule, endpoint in PAGES:
        if endpoint in LOGIN_STEPS:
            continue
        response = page.goto(base + fill(rule, objects))
        if tag == "village" and response.status in (403, 404):
            continue  # a page for regency officers only
        assert response.status == 200, (tag, rule, response.status)
        assert page.url.startswith(base + "/admin") or page.url.startswith(base + "/reports")
        assert not page.url.endswith("/admin/login"), (tag, rule, "logged out")
        problems += check(page, f"{tag}-{endpoint}", shots)
    return problems


def visit_post_results(page, base: str, objects: VillageObjects, shots: Path, tag: str) -> list:
    """Pages that only a form's answer shows: a printed voucher sheet, a new router's
    secret, and a form sent back with its errors."""
    page.goto(f"{base}/admin/vouchers")
    page.select_option("#village", objects.kode)
    page.fill("#count", "3")
    page.click("form.card button[type=submit]")
    page.wait_for_selector("[data-testid=voucher-sheet]")
    problems = check(page, f"{tag}-voucher-sheet", shots)
    page.goto(f"{base}/admin/gateways/new")
    page.fill("#nas_identifier", f"gw-{tag}")
    page.fill("#source_address", "10.8.0.999")
    page.fill("#hotspot_host", "10.5.50.1")
    page.click("form.card button[type=submit]")
    page.wait_for_selector(".error")
    problems += check(page, f"{tag}-gateway-form-errors", shots)
    page.fill("#source_address", "10.8.7.9")
    page.click("form.card button[type=submit]")
    page.wait_for_selector("[data-testid=gateway-secret]")
    problems += check(page, f"{tag}-gateway-secret", shots)
    page.goto(f"{base}/admin/notifications")  # a refused setting, in words, on its field
    page.fill("#summary_time", "7:00")
    page.click("[data-testid=notify-form] button[type=submit]")
    page.wait_for_selector(".error")
    problems += check(page, f"{tag}-notify-form-errors", shots)
    words = "Write the time as HH:MM" if tag == "english" else "Tulis jam sebagai JJ:MM"
    assert words in page.locator("[data-testid=notify-form] .error").all_inner_texts()[0]
    page.goto(f"{base}/admin/")  # visited already; the seeded contract must be on it
    assert page.locator("[data-testid=contracts-ending] li").count() == 1
    for number, path in enumerate(QUERY_PAGES):
        assert page.goto(base + path).status == 200, path
        problems += check(page, f"{tag}-query-{number}", shots)
    return problems


def test_every_console_and_report_page_fits_a_360px_phone(world, shots):
    app, objects = world
    regency = create_admin(app, "kab-layout", "regency", "64.01")
    create_admin(app, "kab-baru", "regency", "64.01", totp=False)
    problems: list[str] = []
    with live_server(app) as base, chromium() as browser:
        for tag, username, secret, language in (
            ("regency", regency.username, regency.totp_secret, "id"),
            ("village", "seed-op-a", None, "id"),
            ("english", regency.username, regency.totp_secret, "en"),  # longer words
        ):
            context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT})
            context.add_cookies([{"name": "lang", "value": language, "url": base}])
            page = context.new_page()
            forget_totp_step(app, regency.id)  # the same admin logs in twice within 30 s
            problems += log_in(page, base, username, secret, shots, tag)
            problems += visit_all(page, base, objects, shots, tag)
            if tag != "village":
                problems += visit_post_results(page, base, objects, shots, tag)
            context.close()
        context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT})
        page = context.new_page()
        problems += log_in(page, base, "kab-baru", None, shots, "enrol")
        for path in EXTRA_PAGES:
            page.goto(base + path)
            problems += check(page, "public" + path.replace("/", "-"), shots)
        context.close()
    assert not problems, "\n".join(problems)


def test_the_page_list_comes_from_the_url_map():
    endpoints = {endpoint for _, endpoint in RULES}
    assert set(NOT_PAGES) <= endpoints  # no stale exception
    assert endpoints >= LOGIN_STEPS
    assert {"admin.devices", "admin.notify_settings", "reports.overview"} <= endpoints
    assert "reports.village" in endpoints
    assert len(PAGES) >= 25
