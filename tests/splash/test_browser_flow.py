"""End to end in headless Chromium: router page → splash → accept → the router's
/login → (RADIUS) → status page; screenshots at 360×640 in test-artifacts/."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from portal.database import db
from portal.models import LoginGrant
from radius.server import RadiusServer, start
from tests.splash.browser import (
    ARTIFACTS,
    FakeRouter,
    fake_router,
)
from tests.splash.conftest import (
    GATEWAY_SECRET,
    MAC,
    NAS_ID,
    LivePortal,
    World,
    record_usage_today,
)

pytestmark = pytest.mark.browser

TAP_TARGETS = """() => [...document.querySelectorAll(
  'button, input:not([type=hidden]), summary, .lang a, footer a, a.button')]
  .map(e => [e.outerHTML.slice(0, 60), e.getBoundingClientRect().height])
  .filter(([, h]) => h < 48)"""


# WCAG 2.1 contrast (1.4.3): every element with its own text, against the first opaque
# background behind it; 4.5:1 for normal text, 3:1 for large (>= 24px, or bold >= 18.66px).
LOW_CONTRAST = """() => {
  const rgb = c => c.match(/[\\d.]+/g).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map(v => {
      v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
    .reduce((a, v, i) => a + v * [0.2126, 0.7152, 0.0722][i], 0);
  const background = el => {
    for (; el; el = el.parentElement) {
      const c = rgb(getComputedStyle(el).backgroundColor);
      if (c.length < 4 || c[3] > 0) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const bad = [];
  for (const el of document.querySelectorAll('body *')) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own || el.offsetParent === null) continue;
    const style = getComputedStyle(el);
    const [a, b] = [lum(rgb(style.color)), lum(background(el))];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const size = parseFloat(style.fontSize), bold = parseInt(style.fontWeight) >= 700;
    const need = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
    if (ratio < need) bad.push(el.tagName + ' ' + ratio.toFixed(2));
  }
  return bad;
}"""


@pytest.fixture
def phone(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context(viewport={"width": 360, "height": 640}, device_scale_factor=1)
    page = context.new_page()
    yield page
    context.close()


def _shoot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))
    page.screenshot(path=str(ARTIFACTS / f"{name}-full.png"), full_page=True)


@pytest.fixture
def radius(world: World) -> Iterator[RadiusServer]:
    """Our RADIUS server on a free loopback port, over the portal's database."""
    server = start(world.settings, "127.0.0.1", 0, acct_port=0, reject_delay=0.0)
    yield server
    server.stop()


def test_router_page_to_status_page(
    live_portal: LivePortal, world: World, phone: Any, radius: RadiusServer
) -> None:
    requests: list[str] = []
    phone.on("request", lambda request: requests.append(request.url))
    router = FakeRouter(live_portal.url, NAS_ID, MAC, world.settings.secret_key)
    with fake_router(router):
        router.radius_port, router.radius_secret = radius.auth_port, GATEWAY_SECRET
        phone.goto(f"{router.url}/login")
        phone.wait_for_selector("text=Setuju & Sambungkan")
        phone.wait_for_load_state("load")  # sizes and colours need the stylesheet
        assert phone.url.startswith(f"{live_portal.url}/hotspot?t=")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 360
        assert phone.evaluate(TAP_TARGETS) == []
        assert phone.evaluate(LOW_CONTRAST) == []
        _shoot(phone, "splash")
        phone.click("text=Setuju & Sambungkan")
        phone.wait_for_selector("text=Anda sudah tersambung ke internet.")
        phone.wait_for_load_state("load")
        assert phone.evaluate(LOW_CONTRAST) == []
        assert phone.evaluate(TAP_TARGETS) == []
        _shoot(phone, "status")
    # The router asked our RADIUS server (CHAP + Message-Authenticator) and was accepted.
    assert len(router.logins) == 1 and router.radius_replies == ["Access-Accept"]
    assert router.check(router.logins[0]["username"], router.logins[0]["password"])
    assert phone.url.startswith(f"{live_portal.url}/hotspot/status?s=")
    # data: is the inline empty icon, never a network request.
    outside = [u for u in requests if not u.startswith((live_portal.url, router.url, "data:"))]
    assert outside == []
    with live_portal.app.app_context():
        grant = db.session.query(LoginGrant).one()
        assert grant.used_at is not None  # RADIUS consumed the one-time grant


def test_quota_spent_page(
    live_portal: LivePortal, world: World, phone: Any, radius: RadiusServer
) -> None:
    """The quota runs out while the splash is open: RADIUS rejects with its
    Reply-Message, the router's page brings it back as $(error), the splash explains."""
    app: Flask = live_portal.app
    router = FakeRouter(live_portal.url, NAS_ID, MAC, world.settings.secret_key)
    with fake_router(router):
        router.radius_port, router.radius_secret = radius.auth_port, GATEWAY_SECRET
        phone.goto(f"{router.url}/login")
        phone.wait_for_selector("text=Setuju & Sambungkan")
        _spend_quota(app, world)  # RADIUS now refuses with the reset time in WITA
        phone.click("text=Setuju & Sambungkan")
        phone.wait_for_selector("text=Kuota baru mulai besok pukul 00.00 WITA.")
        phone.wait_for_load_state("load")
        assert router.radius_replies == ["Access-Reject"]
        assert phone.evaluate(LOW_CONTRAST) == []
        _shoot(phone, "quota-spent")
        assert phone.locator("text=Setuju & Sambungkan").count() == 0
        assert phone.locator("text=Pakai voucher").count() == 1


def _spend_quota(app: Flask, world: World) -> None:
    """What RADIUS accounting does as the device uses its day's allowance."""
    record_usage_today(app, world, bytes_total=1_024_000_000, seconds_total=5400, sessions=3)
