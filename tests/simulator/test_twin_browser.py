"""Headless Chromium on the twin's hotspot: the router's pages (edge's templates, fetched from
the portal) run their own JavaScript with the router's md5.js, so the tap logs in with
CHAP; without JavaScript the same tap logs in with PAP. The phone's traffic never crosses
the link except as the router's one Access-Request. The browser reaches the hotspot the way
a client's HTTP reaches a RouterOS hotspot: every request goes to it (here as its proxy)."""

from __future__ import annotations

import pytest

from tests.simulator.browser import module_chromium
from tests.simulator.conftest import ONLINE

pytestmark = pytest.mark.browser


chromium = module_chromium


@pytest.mark.parametrize("javascript", [True, False], ids=["js-chap", "nojs-pap"])
def test_a_tap_in_chromium_logs_in_at_the_router(make_twin, chromium, javascript):
    twin = make_twin(delay_ms=350)
    host, port = twin.servlet.address
    fetched = twin.link.snapshot()  # the router's own fetch of its pages
    context = chromium.new_context(
        proxy={"server": f"http://{host}:{port}"},
        viewport={"width": 360, "height": 640},
        java_script_enabled=javascript,
        extra_http_headers={"X-Twin-Mac": "AA:BB:CC:DD:EE:07"},
    )
    try:
        page = context.new_page()
        seen: list[str] = []
        page.on("request", lambda request: seen.append(request.url))
        page.goto("http://connectivitycheck.gstatic.com/generate_204")
        assert page.url.startswith("http://10.5.50.1/login")
        assert twin.link.snapshot().since(fetched).round_trips == 0  # the splash: none
        page.get_by_role("button", name="Setuju & Sambungkan").click()
        page.wait_for_selector(f"text={ONLINE}", timeout=15_000)
    finally:
        context.close()
    assert twin.hotspot.hosts["AA:BB:CC:DD:EE:07"].active is not None
    assert twin.hotspot.last_method == ("http-chap" if javascript else "http-pap")
    assert twin.link.snapshot("radius-auth").round_trips == 1
    assert twin.link.snapshot().since(fetched).connections == 0
    assert all(url.startswith(("http://10.5.50.1/", "http://connectivitycheck")) for url in seen)
    assert any(url.endswith("/md5.js") for url in seen) == javascript
