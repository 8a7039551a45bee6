"""Stored XSS on the residents' pages: the whole payload corpus, posted as announcements
through the console's Markdown pipeline, never executes on the splash or the village page.

Pages are loaded into Chromium *without* the portal's Content-Security-Policy, so the
sanitisers alone must keep every payload inert.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa

from portal.config import utcnow
from portal.database import db
from portal.domain.content import announcements
from portal.models import Announcement
from portal.splash import SNAPSHOTS
from portal.splash.snapshots import SnapshotCache
from tests.admin.browser import HOOKS, load_payloads
from tests.admin.test_xss_browser import AUDIT_SCRIPT, SAFE_URL
from tests.splash.conftest import World

pytestmark = pytest.mark.browser

PAYLOADS = load_payloads()
PAGE = "http://splash.invalid/"


def _post_chunk(app: Any, world: World, chunk: list[str]) -> None:
    """Replace the village's announcements with ``chunk``, as the console stores them."""
    with app.app_context():
        db.session.execute(sa.delete(Announcement))
        now = utcnow()
        for number, payload in enumerate(chunk):
            db.session.add(
                Announcement(
                    village_kode=world.village_kode,
                    title=payload[:160],
                    body_markdown=payload,
                    body_html=announcements.render_markdown(payload),
                    pinned=number == 0,
                    emergency=number == 1,
                    created_at=now,
                    updated_at=now,
                )
            )
        db.session.commit()
    app.extensions[SNAPSHOTS] = SnapshotCache()  # no 10-second staleness in this test


def test_the_corpus_never_runs_on_the_splash_or_the_village_page(
    portal_app: Any,
    portal_client: Any,
    world: World,
    open_splash: Callable[..., Any],
    chromium: Any,
    backend: str,
) -> None:
    if backend != "sqlite":
        pytest.skip("the rendering is the same on every database; run once")
    assert len(PAYLOADS) >= 100
    context = chromium.new_context(viewport={"width": 360, "height": 640})
    context.add_init_script(HOOKS)
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    served: dict[str, str] = {}
    page.route("**/*", lambda route: route.abort())  # nothing leaves the machine
    page.route(PAGE, lambda route: route.fulfill(body=served["html"], content_type="text/html"))
    size = announcements.SPLASH_LIMIT
    for start in range(0, len(PAYLOADS), size):
        _post_chunk(portal_app, world, PAYLOADS[start : start + size])
        splash = open_splash()
        village = portal_client.get(f"/desa/{world.village_kode}")
        for answer in (splash, village):
            assert answer.status_code == 200
            served["html"] = answer.get_data(as_text=True)
            page.goto(PAGE)
            page.mouse.move(5, 5)
            page.keyboard.press("Tab")
            found = page.evaluate(AUDIT_SCRIPT)
            where = (answer.request.path, start)
            assert found["fired"] == [] and not found["pwned"], where
            assert found["handlers"] == [], (where, found["handlers"])
            assert found["scripts"] == 0, where
            # The layout's own empty favicon (``data:,``) keeps phones from asking for one.
            urls = [u for u in found["urls"] if u != "data:,"]
            unsafe = [u for u in urls if not SAFE_URL.match(u.strip())]
            assert unsafe == [], (where, unsafe)
    assert dialogs == []
    context.close()
