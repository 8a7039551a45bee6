"""The router's pages in headless Chromium at 360×640, after RouterOS's substitution
(the twin's `render`), served by a stand-in router on 127.0.0.1: the button above the
fold with five announcements and the emergency notice, every page under 30 KB, no
request leaving the router, CHAP with the router's md5.js and PAP without JavaScript,
English without JavaScript, and the XSS corpus through every variable a phone or a web
page can set and through the announcements, with zero executions."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask

from portal.database import db
from portal.domain.access import click_through
from portal.domain.access.hotspot import encode_octal
from portal.models import Village
from portal.simulator.routeros import substitution
from portal.world import World as Factory
from tests.live import serving
from tests.routers.conftest import NOW
from tests.splash.conftest import CHAP_CHALLENGE, CHAP_ID, MAC, NAS_ID, World

pytestmark = pytest.mark.browser

MD5_JS = (Path(substitution.__file__).with_name("md5.js")).read_bytes()
PAYLOADS = [
    line
    for line in (Path(__file__).parents[1] / "xss_payloads.txt").read_text().splitlines()
    if line and not line.startswith("# ")
]
#: Variables a phone or a web page can set (the address it asked for, what it typed, its
#: own MAC, request headers) — each gets every payload. The router-made ones (counters,
#: yes/no flags, CHAP octal escapes, our own Reply-Message as $(error)) keep their shapes.
PHONE_MADE = (
    "mac", "ip", "username", "user", "link-orig", "link-login", "link-redirect", "var",
    "session-id", "domain", "host", "user-agent", "identity", "hostname", "interface-name",
)  # fmt: skip
WATCH = """
window.__fired = 0;
for (const name of ['alert', 'confirm', 'prompt', 'print']) {
  window[name] = () => { window.__fired += 1; };
}
window.addEventListener('error', () => { window.__fired += 1; }, true);
"""
PAGE_BUDGET = 30_000


@dataclass
class Router:
    """A stand-in for the hotspot's web server: serves the rendered pages it is given
    and the router's md5.js, and records every request."""

    pages: dict[str, bytes] = field(default_factory=dict)
    seen: list[tuple[str, str, dict[str, list[str]]]] = field(default_factory=list)
    origin: str = ""


@contextmanager
def serve(router: Router) -> Iterator[Router]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _answer(self, body: bytes, kind: str = "text/html; charset=utf-8") -> None:
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            path = urlsplit(self.path).path
            router.seen.append(("GET", self.path, {}))
            if path == "/md5.js":
                self._answer(MD5_JS, "application/javascript")
            else:
                self._answer(router.pages.get(path, b"<p>ok</p>"))

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            form = parse_qs(self.rfile.read(length).decode(), keep_blank_values=True)
            router.seen.append(("POST", self.path, form))
            self._answer(b"<!doctype html><p>logged in</p>")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    router.origin = f"http://127.0.0.1:{server.server_port}"
    with serving(server):
        yield router


def variables(router: Router, **overrides: str) -> dict[str, str]:
    """What RouterOS substitutes into the pages for an arriving phone (or a logged-in
    one, for the status page), octal-escaped CHAP values as the router writes them."""
    values = {
        "chap-id": encode_octal(CHAP_ID),
        "chap-challenge": encode_octal(CHAP_CHALLENGE),
        "trial": "no",
        "error": "",
        "mac": MAC,
        "ip": "10.5.50.23",
        "link-login-only": f"{router.origin}/login",
        "link-orig": "http://example.com/",
        "logged-in": "no",
        "login-by": "",
        "session-time-left": "3h59m",
        "remain-bytes-total": "734003200",
        "bytes-in-nice": "1.2 MiB",
        "bytes-out-nice": "34.5 MiB",
        "uptime": "1m",
        "refresh-timeout-secs": "60",
    }
    values.update(overrides)
    return values


def templates(client: Any) -> dict[str, str]:
    names = ("login.html", "status.html", "alogin.html", "logout.html", "flogin.html")
    return {
        name: client.get(f"/mt/{NAS_ID}/hotspot/{name}").get_data(as_text=True) for name in names
    }


@pytest.fixture
def five_news(portal_app: Flask, world: World) -> World:
    """Five announcements showing, two of them emergencies with long titles."""
    with portal_app.app_context():
        village = db.session.get(Village, world.village_kode)
        factory = Factory(db.session, now=NOW, master_key="")
        for n in range(2):
            factory.announcement(
                village, f"Banjir di RT 0{n + 1}: warga diminta mengungsi ke balai desa",
                "Air sungai naik. Bawa surat penting dan obat-obatan.", emergency=True,
            )  # fmt: skip
        db.session.commit()
    return world


@pytest.fixture
def browser_context(chromium: Any, backend: str) -> Iterator[Any]:
    if backend != "sqlite":
        pytest.skip("the pages are the same on every database; run once")
    context = chromium.new_context(viewport={"width": 360, "height": 640})
    context.add_init_script(WATCH)
    yield context
    context.close()


@contextmanager
def watched(context: Any, router: Router) -> Iterator[tuple[Any, list[str], list[str]]]:
    """A page whose every request is recorded; any not for the router is aborted."""
    page = context.new_page()
    requested: list[str] = []
    outside: list[str] = []
    dialogs: list[str] = []

    def route(request_route: Any) -> None:
        url = request_route.request.url
        requested.append(url)
        if url.startswith(router.origin + "/"):
            request_route.continue_()
        else:
            outside.append(url)
            request_route.abort()

    page.route("**/*", route)
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    try:
        yield page, requested, outside
    finally:
        assert dialogs == []
        page.close()


def test_button_above_the_fold_with_five_announcements_and_the_emergency_notice(
    portal_client: Any, five_news: World, browser_context: Any
):
    pages = templates(portal_client)
    with serve(Router()) as router, watched(browser_context, router) as (page, requested, outside):
        for trial, error in (("yes", ""), ("no", "Kuota harian Anda sudah habis.")):
            body = substitution.render(
                pages["login.html"], variables(router, trial=trial, error=error)
            )
            assert len(body.encode()) < PAGE_BUDGET
            router.pages["/login"] = body.encode()
            page.goto(f"{router.origin}/login")
            button = page.locator("button.primary, a.button.primary").first
            box = button.bounding_box()
            assert box is not None and box["y"] + box["height"] <= 640, (trial, box)
            assert button.is_visible()
            assert page.locator("article.news").count() == 5
            notice = page.get_by_text("Layanan pusat sedang terganggu", exact=False)
            assert notice.is_visible() == (trial == "yes")
            if error:
                assert page.get_by_text(error).is_visible()
            assert page.evaluate("window.__fired") == 0
        assert outside == [] and len(requested) >= 2
        assert all(url.startswith(router.origin) for url in requested)
        for name in ("status.html", "alogin.html", "logout.html"):
            body = substitution.render(pages[name], variables(router, **{"login-by": "trial"}))
            assert len(body.encode()) < PAGE_BUDGET, name
            router.pages["/" + name] = body.encode()
            page.goto(f"{router.origin}/{name}")
            assert page.evaluate("window.__fired") == 0
        page.goto(f"{router.origin}/status.html")
        assert page.get_by_text("Layanan pusat sedang terganggu", exact=False).is_visible()
        assert page.get_by_text("734.0 M", exact=False).is_visible()  # formatted by the page
        assert outside == []


def test_the_accept_button_logs_in_with_chap_through_md5_js(
    portal_client: Any, world: World, browser_context: Any, splash_settings: Any
):
    pages = templates(portal_client)
    password = click_through.password(splash_settings.secret_key, world.gateway_id, world.terms_id)
    with serve(Router()) as router, watched(browser_context, router) as (page, requested, outside):
        router.pages["/login"] = substitution.render(
            pages["login.html"], variables(router)
        ).encode()
        page.goto(f"{router.origin}/login")
        page.get_by_role("button", name="Setuju & Sambungkan").click()
        page.wait_for_load_state()
        assert f"{router.origin}/md5.js" in requested
        [(method, path, form)] = [seen for seen in router.seen if seen[0] == "POST"]
        assert (method, path) == ("POST", "/login")
        expected = hashlib.md5(CHAP_ID + password.encode() + CHAP_CHALLENGE).hexdigest()  # noqa: S324
        assert form["username"] == [f"wd-t{world.terms_id}"]
        assert form["password"] == [expected]
        assert outside == []


def test_a_voucher_logs_in_with_chap_and_without_chap_as_pap(
    portal_client: Any, world: World, browser_context: Any
):
    pages = templates(portal_client)
    code = "ABCD-EFGH"
    with serve(Router()) as router, watched(browser_context, router) as (page, _requested, outside):
        for chap in (True, False):
            values = variables(router) if chap else variables(router, **{"chap-id": ""})
            router.pages["/login"] = substitution.render(pages["login.html"], values).encode()
            page.goto(f"{router.origin}/login")
            page.locator("#voucher").fill(code)
            page.get_by_role("button", name="Pakai voucher").click()
            page.wait_for_load_state()
        posts = [form for method, _path, form in router.seen if method == "POST"]
        expected = hashlib.md5(CHAP_ID + code.encode() + CHAP_CHALLENGE).hexdigest()  # noqa: S324
        assert posts == [
            {"username": [code], "password": [expected]},
            {"username": [code], "password": [code]},
        ]
        assert outside == []


def test_without_javascript_pap_to_the_router_and_english_one_tap_away(
    portal_client: Any, world: World, chromium: Any, backend: str, splash_settings: Any
):
    if backend != "sqlite":
        pytest.skip("run once")
    pages = templates(portal_client)
    password = click_through.password(splash_settings.secret_key, world.gateway_id, world.terms_id)
    context = chromium.new_context(
        viewport={"width": 360, "height": 640}, java_script_enabled=False
    )
    try:
        with serve(Router()) as router, watched(context, router) as (page, requested, outside):
            router.pages["/login"] = substitution.render(
                pages["login.html"], variables(router)
            ).encode()
            page.goto(f"{router.origin}/login")
            assert page.get_by_text("Setuju & Sambungkan").is_visible()
            assert not page.get_by_text("Agree & Connect").is_visible()
            page.get_by_role("link", name="English").click()
            assert page.get_by_text("Agree & Connect").is_visible()
            assert page.get_by_text("Terms of use").is_visible()
            assert not page.get_by_text("Setuju & Sambungkan").is_visible()
            page.get_by_role("link", name="Bahasa Indonesia").click()
            assert page.get_by_text("Setuju & Sambungkan").is_visible()
            page.get_by_role("button", name="Setuju & Sambungkan").click()
            page.wait_for_load_state()
            [form] = [form for method, _path, form in router.seen if method == "POST"]
            assert form == {"username": [f"wd-t{world.terms_id}"], "password": [password]}
            assert all(url.startswith(router.origin) for url in requested)
            assert outside == []
    finally:
        context.close()


def test_the_xss_corpus_through_every_phone_variable_and_the_bulletin_stays_inert(
    portal_app: Flask, portal_client: Any, world: World, browser_context: Any
):
    with portal_app.app_context():
        village = db.session.get(Village, world.village_kode)
        factory = Factory(db.session, now=NOW, master_key="")
        chunk = len(PAYLOADS) // 5 + 1
        for n in range(5):
            part = PAYLOADS[n * chunk : (n + 1) * chunk]
            factory.announcement(village, part[0][:160], "\n\n".join(part), emergency=n == 0)
        db.session.commit()
    pages = templates(portal_client)
    assert len(PAYLOADS) > 150
    loaded: set[str] = set()  # a body already proven inert needs no second load
    checked = 0
    with serve(Router()) as router, watched(browser_context, router) as (page, _requested, outside):
        for payload in PAYLOADS:
            hostile = {name: payload for name in PHONE_MADE}
            for name, template in pages.items():
                for trial in ("yes", "no"):
                    values = variables(router, trial=trial, **{"login-by": "trial"}, **hostile)
                    body = substitution.render(template, values)
                    assert len(body.encode()) < PAGE_BUDGET, name
                    checked += 1
                    if body in loaded:
                        continue
                    loaded.add(body)
                    router.pages["/" + name] = body.encode()
                    page.goto(f"{router.origin}/{name}", wait_until="load")
                    fired = page.evaluate("window.__fired + (window.__pwned ? 1 : 0)")
                    assert fired == 0, (name, payload)
        assert outside == []
    assert checked == len(PAYLOADS) * len(pages) * 2
    assert len(loaded) > len(PAYLOADS)  # the MAC's -esc form differs with every payload
