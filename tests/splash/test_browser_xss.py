"""Every router field carrying a script payload is shown inert in a real browser."""

from __future__ import annotations

from typing import Any

import pytest

from portal.config import utcnow
from portal.database import db
from portal.models import Announcement
from tests.splash.conftest import World, router_fields

pytestmark = pytest.mark.browser

PAYLOADS = [
    "<script>alert(1)</script>",
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)>",
    '" autofocus onfocus="alert(1)',
    "javascript:alert(1)",
    "</textarea><svg onload=alert(1)>",
    'http://10.5.50.1/login"><script>alert(1)</script>',
    "\\371<script>alert(1)</script>",
]

WATCH = """
window.__fired = 0;
for (const name of ['alert', 'confirm', 'prompt', 'print']) {
  window[name] = () => { window.__fired += 1; };
}
document.addEventListener('securitypolicyviolation', () => { window.__fired += 1; });
window.addEventListener('error', () => { window.__fired += 1; }, true);
"""


def test_router_fields_with_payloads_stay_inert(
    portal_app: Any, portal_client: Any, world: World, chromium: Any, backend: str
) -> None:
    """Each page is rendered by the portal and loaded into Chromium *without* the
    portal's CSP, so escaping alone must keep every payload inert."""
    if backend != "sqlite":
        pytest.skip("the rendering is the same on every database; run once")
    context = chromium.new_context(viewport={"width": 360, "height": 640})
    context.add_init_script(WATCH)
    dialogs: list[str] = []
    page = context.new_page()
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    with portal_app.app_context():
        now = utcnow()
        db.session.add(
            Announcement(
                village_kode=world.village_kode,
                title=PAYLOADS[1],
                body_html="".join(PAYLOADS) + '<a href="javascript:alert(1)">x</a>',
                created_at=now,
                updated_at=now,
            )
        )
        db.session.commit()
    shown = 0
    for name in router_fields():
        for payload in PAYLOADS:
            fields = router_fields(**{name.replace("-", "_"): payload})
            answer = portal_client.get("/hotspot", query_string=fields)
            if answer.status_code == 303:
                answer = portal_client.get(answer.headers["Location"])
                shown += 1
            assert answer.status_code in (200, 400), (name, payload)
            page.set_content(answer.get_data(as_text=True), wait_until="domcontentloaded")
            assert page.evaluate("window.__fired") == 0, (name, payload)
            assert page.locator("script, iframe, svg, img").count() == 0, (name, payload)
            for link in page.locator("a[href]").evaluate_all("els => els.map(e => e.href)"):
                assert link.startswith(("http:", "https:", "/")), (name, payload, link)
    assert dialogs == [] and shown > 40
    context.close()
