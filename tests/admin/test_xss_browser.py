"""Stored XSS: a corpus of payloads posted as announcements never executes.

Two layers are shown separately: the sanitiser's output alone, in a page without any
Content-Security-Policy, and the real admin pages served with theirs.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from portal.database import db
from portal.domain.content import announcements
from portal.models import Announcement
from tests.admin.browser import HOOKS, chromium, live_server, load_payloads, needs_chromium
from tests.admin.conftest import VILLAGE_A, log_in, post

PAYLOADS = load_payloads()
SAFE_URL = re.compile(r"^(https?:|mailto:|tel:|#|/)", re.IGNORECASE)

pytestmark = [pytest.mark.browser, needs_chromium]

AUDIT_SCRIPT = """() => {
  const handlers = [], urls = [];
  const urlAttributes = ["href", "src", "action", "formaction", "data", "xlink:href"];
  for (const el of document.querySelectorAll("*")) {
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      if (name.startsWith("on")) handlers.push(el.tagName + " " + name);
      if (urlAttributes.includes(name)) urls.push(attr.value);
    }
  }
  const active = "main script, .body script, iframe, object, embed";
  return {fired: window.__xss, pwned: !!window.__pwned, handlers, urls,
          scripts: document.querySelectorAll(active).length};
}"""


def test_the_corpus_is_large_enough():
    assert len(PAYLOADS) >= 100


def _audit_page(page) -> dict[str, object]:
    """What executed, and anything left in the DOM that could execute on interaction."""
    return page.evaluate(AUDIT_SCRIPT)


def test_sanitised_output_cannot_execute_even_without_csp():
    html = "".join(
        f'<article class="body">{announcements.render_markdown(p)}</article>' for p in PAYLOADS
    )
    with chromium() as browser:
        page = browser.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.add_init_script(HOOKS)
        document = f"<!doctype html><html><body>{html}</body></html>"
        # A routed address (nothing leaves the machine) so the init script applies.
        # (Playwright tries the most recently added route first.)
        page.route("**/*", lambda route: route.abort())
        page.route(
            "http://sanitised.invalid/",
            lambda route: route.fulfill(body=document, content_type="text/html"),
        )
        page.goto("http://sanitised.invalid/")
        page.mouse.move(5, 5)
        page.mouse.move(200, 200)
        page.keyboard.press("Tab")
        page.wait_for_timeout(300)
        found = _audit_page(page)
    assert dialogs == []
    assert found["fired"] == [] and not found["pwned"]
    assert found["handlers"] == []
    assert found["scripts"] == 0
    assert [u for u in found["urls"] if not SAFE_URL.match(u.strip())] == []


# What a page renders does not depend on the database, and ~170 page loads in
# Chromium take half a minute: this one runs on SQLite only.
@pytest.mark.parametrize("backend", ["sqlite"])
def test_payloads_posted_as_announcements_never_run_in_the_admin_pages(app, make_admin):
    admin = make_admin("operator")
    client = app.test_client()
    log_in(client, admin)
    for payload in PAYLOADS:
        response = post(
            client, "/admin/bulletin/new",
            {"village": VILLAGE_A, "title": payload[:160], "category": "pengumuman",
             "body": payload, "published": "y", "action": "save"},
        )  # fmt: skip
        assert response.status_code == 302, payload
    with app.app_context():
        ids = db.session.scalars(sa.select(Announcement.id).order_by(Announcement.id)).all()
    assert len(ids) == len(PAYLOADS)
    with live_server(app) as base, chromium() as browser:
        page = browser.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.add_init_script(HOOKS)
        page.goto(f"{base}/admin/login")
        page.fill("#username", admin.username)
        page.fill("#password", admin.password)
        page.click("form.card button[type=submit]")
        page.wait_for_url(f"{base}/admin/")
        paths = ["/admin/bulletin", "/admin/log"]
        paths += [f"/admin/bulletin/{i}" for i in ids]
        paths += [f"/admin/bulletin/{i}/edit" for i in ids[::10]]
        for path in paths:
            page.goto(base + path)
            found = _audit_page(page)
            assert found["fired"] == [] and not found["pwned"], path
            assert found["handlers"] == [], (path, found["handlers"])
            assert found["scripts"] == 0, path
    assert dialogs == []
