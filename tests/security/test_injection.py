"""No open redirect (AT-15) and no reflected XSS (AT-16) through any parameter of any route.

Open redirects: every payload of `tests.security.redirects.PAYLOADS` goes into every
redirect-like parameter of every GET route at once, into the router's link fields of
/hotspot (then through the splash and its accept form), into the router status page's
``link-logout``, and into the console's login and language forms. Every Location, link
and form action that comes back must be a same-site path or http(s) to an allow-listed
host (the portal, the gateway's hotspot address); the ``dst`` handed to the router must
be a plain http(s) address.

Reflected XSS: the places where a value comes back in a page are found first, with
harmless markers, through every query parameter and path segment of every GET route
and every field of every form those pages show. Each such place then gets the whole
corpus (tests/xss_payloads.txt), one payload per field and all fields at once, and the
page is loaded into headless Chromium *without* the portal's CSP: escaping alone must
keep every payload inert. (A value that never comes back cannot execute.)
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from werkzeug.test import TestResponse

from tests.admin.browser import HOOKS, load_payloads
from tests.admin.conftest import PASSWORD
from tests.admin.test_xss_browser import AUDIT_SCRIPT, SAFE_URL
from tests.security.conftest import HOTSPOT_HOSTS, ROUTER_LOGIN, World
from tests.security.redirects import (
    PARAMETERS,
    PAYLOADS,
    page_urls,
    router_destination,
    unsafe_destination,
    unsafe_url,
)
from tests.security.reflection import BEARER, MARKER, all_reflections
from tests.security.routes import fill
from tests.security.test_route_matrix import RULES

ALLOWED_HOSTS = {"localhost", "portal.example.id", HOTSPOT_HOSTS["A"]}
# Where a route redirects to and what a page reflects do not depend on the database (the
# route matrix runs on both): this module runs once, on SQLite.
pytestmark = pytest.mark.parametrize("world", ["sqlite"], indirect=True)
GET_RULES = [r for r in RULES if "GET" in r[2] and r[1] != "static"]


def check_targets(response: TestResponse) -> int:
    """Assert the Location, links and form actions of a response; returns how many."""
    base = response.request.url
    seen = 0
    location = response.headers.get("Location")
    if location is not None:
        reason = unsafe_url(location, base, ALLOWED_HOSTS)
        assert reason is None, (response.request.url, location, reason)
        destination = router_destination(location)
        if urlsplit(location).hostname == HOTSPOT_HOSTS["A"] and destination is not None:
            assert unsafe_destination(destination) is None, (location, destination)
        seen += 1
    if response.mimetype == "text/html":
        for url in page_urls(response.get_data(as_text=True)):
            assert unsafe_url(url, base, ALLOWED_HOSTS) is None, (base, url)
            seen += 1
    return seen


# --- open redirects (AT-15) --------------------------------------------------------------


#: Routes that take the router's link fields, swept with every payload whatever they echo.
ALWAYS_SWEPT = {"splash.entry", "splash.status", "splash.voucher_link"}


def _uses_parameters(world: World, rule: str, endpoint: str) -> bool:
    """Whether any redirect-like parameter shows up in the route's answer at all (as a
    path, an absolute URL of ours or of the gateway, or a bare word)."""
    client, path = world.caller(endpoint), fill(rule, world.values("A"))
    for shape in ("zq{}xss", "/zq{}xss", "https://localhost/zq{}xss", f"{ROUTER_LOGIN}/zq{{}}xss"):
        query = {**world.reaching_query(endpoint)}
        query.update({name: shape.format(i) for i, name in enumerate(PARAMETERS)})
        response = client.get(path, query_string=query, headers=BEARER, follow_redirects=True)
        locations = [r.headers.get("Location", "") for r in response.history]
        if MARKER.search(response.get_data(as_text=True) + " ".join(locations)):
            return True
    return False


def test_no_parameter_of_any_get_route_redirects_off_site(world: World):
    """Every payload through every route that uses any of the parameters (the others
    were shown above to ignore them) and through the residents' entry pages."""
    checked, routes = 0, []
    for rule, endpoint, _methods in GET_RULES:
        if endpoint not in ALWAYS_SWEPT and not _uses_parameters(world, rule, endpoint):
            continue
        routes.append(endpoint)
        client, path = world.caller(endpoint), fill(rule, world.values("A"))
        base = world.reaching_query(endpoint)
        for payload, keep in itertools.product(PAYLOADS, ((), ("link-login-only",))):
            query = {**base, **{p: payload for p in PARAMETERS if p not in keep}}
            response = client.get(path, query_string=query, headers=BEARER, follow_redirects=True)
            for answer in (*response.history, response):
                checked += check_targets(answer)
    assert set(routes) >= ALWAYS_SWEPT and checked >= 100, routes


def test_router_links_never_lead_off_the_gateway(world: World):
    from tests.splash.conftest import ticket_of

    client, logins = world.anonymous(), 0
    for payload in PAYLOADS:
        for fields in ({"link-login-only": payload}, dict.fromkeys(PARAMETERS[:9], payload)):
            # Each login another phone at another address: the splash slows down one
            # that accepts again and again (portal.domain.access.throttle).
            phone = {"mac": f"02:00:5E:00:{logins // 256:02X}:{logins % 256:02X}"}
            address = {"REMOTE_ADDR": f"198.51.100.{logins % 250 + 1}"}
            values = {**world.reaching_query("splash.entry"), **phone, **fields}
            entry = client.post("/hotspot", data=values)
            check_targets(entry)
            if entry.status_code != 303:
                continue
            splash = client.get(entry.headers["Location"])
            check_targets(splash)
            accept = client.post(
                "/hotspot/accept", data={"t": ticket_of(splash)}, environ_base=address
            )
            check_targets(accept)
            assert urlsplit(accept.headers["Location"]).hostname == HOTSPOT_HOSTS["A"]
            logins += 1
        status = {"identity": "gw-a", "mac": "AA:BB:CC:DD:EE:01", "link-logout": payload}
        answer = client.post("/hotspot/status", data=status)
        check_targets(answer)
        check_targets(client.get(answer.headers["Location"]))
    # Payloads in link-orig (and the rest) still log the phone in: dst is then refused
    # and the portal's own status page takes its place.
    assert logins >= len(PAYLOADS)


def test_the_console_forms_never_redirect_off_site(world: World):
    from tests.admin.conftest import csrf_token

    for payload in PAYLOADS:
        client = world.anonymous()
        extra = dict.fromkeys(PARAMETERS, payload)
        data = {"lang": "en", "csrf_token": csrf_token(client), **extra}
        check_targets(client.post("/admin/language", data=data, query_string=extra))
        data = {"username": "op-a", "password": PASSWORD, "csrf_token": csrf_token(client)}
        login = client.post("/admin/login", data={**data, **extra}, query_string=extra)
        assert login.status_code == 302
        check_targets(login)


# --- reflected XSS (AT-16) ---------------------------------------------------------------

#: Pages rendered per browser load; each is followed by a sentinel element that a page
#: whose markup a payload broke open (an unclosed textarea, comment, script…) would swallow.
BATCH = 24
SENTINELS = """(count) => Array.from({length: count}, (_, i) => i).filter(
  (i) => !(document.getElementById("sentinel-" + i) instanceof HTMLParagraphElement))"""


def _safe_in_page(url: str) -> bool:
    # The layout's empty favicon (``data:,``) keeps phones from asking for one; "?…"
    # links are the report tables' own sorting and paging.
    return url == "data:," or url.startswith("?") or bool(SAFE_URL.match(url.strip()))


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """One headless Chromium for the module. Every host name fails inside Chromium's
    own resolver, so no page can reach anything (faster than routing each request)."""
    from tests import chromium

    launched = chromium.launch("--host-resolver-rules=MAP * ~NOTFOUND")
    yield launched
    launched.close()


class Renderer:
    """Renders pages in Chromium, many per load, and asserts nothing ran."""

    def __init__(self, browser: object) -> None:
        self.page = browser.new_page()
        self.page.add_init_script(HOOKS)
        self.dialogs: list[str] = []
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        # The pages are written into this window (HOOKS installed), addressed as the
        # portal so that relative links resolve; nothing they ask for resolves.
        self.page.route(
            "http://portal.invalid/", lambda route: route.fulfill(body="", content_type="text/html")
        )
        self.page.goto("http://portal.invalid/")
        self.page.unroute("http://portal.invalid/")
        self.pending: list[tuple[str, list[str], str]] = []
        self.rendered = 0

    def add(self, label: str, chunk: list[str], html: str) -> None:
        self.pending.append((label, chunk, html))
        if len(self.pending) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        batch, self.pending = self.pending, []
        document = "".join(
            f'<p id="sentinel-{i}"></p>{html}' for i, (_l, _c, html) in enumerate(batch)
        )
        self.page.evaluate("window.__xss = []; window.__pwned = false")
        self.page.set_content(document + f'<p id="sentinel-{len(batch)}"></p>')
        self.page.keyboard.press("Tab")
        found = self.page.evaluate(AUDIT_SCRIPT)
        where = [(label, chunk) for label, chunk, _html in batch]
        assert found["fired"] == [] and not found["pwned"], where
        assert found["handlers"] == [] and found["scripts"] == 0, (found, where)
        assert [u for u in found["urls"] if not _safe_in_page(u)] == [], (found["urls"], where)
        assert self.page.evaluate(SENTINELS, len(batch) + 1) == [], where
        assert self.dialogs == [], where
        self.rendered += len(batch)


def test_no_reflected_payload_executes_in_chromium(world: World, browser):
    corpus = load_payloads()
    assert len(corpus) >= 200
    reflections = list(all_reflections(world, GET_RULES))
    labels = [r.label for r in reflections]
    for expected in ("GET /hotspot", "POST /hotspot/accept", "POST /admin/login"):
        assert expected in labels, labels
    renderer = Renderer(browser)
    for reflection in reflections:
        width = len(reflection.fields)
        for start in range(0, len(corpus), width):
            chunk = corpus[start : start + width]
            response = reflection.send(dict(zip(reflection.fields, chunk, strict=False)))
            assert response.status_code < 500, (reflection.label, chunk)
            renderer.add(reflection.label, chunk, response.get_data(as_text=True))
    renderer.flush()
    assert renderer.rendered >= len(corpus) * len(reflections) // 4
