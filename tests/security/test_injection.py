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
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from werkzeug.test import TestResponse

from tests.admin.browser import HOOKS, load_payloads
from tests.admin.conftest import PASSWORD
from tests.admin.test_xss_browser import AUDIT_SCRIPT, SAFE_URL
from tests.security.conftest import API_TOKEN, HOTSPOT_HOSTS, ROUTER_LOGIN, World
from tests.security.redirects import (
    PARAMETERS,
    PAYLOADS,
    page_urls,
    router_destination,
    unsafe_destination,
    unsafe_url,
)
from tests.security.routes import fill
from tests.security.test_route_matrix import RULES

BEARER = {"Authorization": f"Bearer {API_TOKEN}"}
ALLOWED_HOSTS = {"localhost", "portal.example.id", HOTSPOT_HOSTS["A"]}
GET_RULES = [r for r in RULES if "GET" in r[2] and r[1] != "static"]
#: Query parameters the views read (besides PARAMETERS and the router's fields).
READ_PARAMETERS = (
    "urut", "arah", "halaman", "dari", "sampai", "code", "s", "t", "token", "scope",
    "from", "to", "group", "format", "variant", "totals", "q", "page", "kind", "voucher",
)  # fmt: skip
#: Forms whose posting would end the admin's session or is not a form of fields.
SKIPPED_ACTIONS = ("/admin/logout", "/admin/language", "/admin/account/totp/off")


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
        if _MARKER.search(response.get_data(as_text=True) + " ".join(locations)):
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
            values = {**world.reaching_query("splash.entry"), **fields}
            entry = client.post("/hotspot", data=values)
            check_targets(entry)
            if entry.status_code != 303:
                continue
            splash = client.get(entry.headers["Location"])
            check_targets(splash)
            accept = client.post("/hotspot/accept", data={"t": ticket_of(splash)})
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


@dataclass
class Reflection:
    """A request whose ``fields`` come back in the page it answers with."""

    label: str
    send: Callable[[dict[str, str]], TestResponse]
    fields: list[str]


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, str], list[str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "form" and values.get("method", "get").lower() == "post":
            self.forms.append((values.get("action", ""), {}, []))
        elif tag in ("input", "textarea", "select") and self.forms and values.get("name"):
            hidden, visible = self.forms[-1][1], self.forms[-1][2]
            if values.get("type") in ("hidden", "submit"):
                hidden[values["name"]] = values.get("value", "")
            elif values.get("type") not in ("file", "checkbox", "radio"):
                visible.append(values["name"])


def _forms(page: TestResponse) -> list[tuple[str, dict[str, str], list[str]]]:
    parser = _Forms()
    parser.feed(page.get_data(as_text=True))
    return parser.forms


_MARKER = re.compile(r"zq(\d+)xss")


def _reflected(response: TestResponse, names: list[str]) -> list[str]:
    found = {int(n) for n in _MARKER.findall(response.get_data(as_text=True))}
    return [name for index, name in enumerate(names) if index in found]


def _markers(names: list[str]) -> dict[str, str]:
    return {name: f"zq{index}xss" for index, name in enumerate(names)}


def _get_sender(world: World, endpoint: str, rule: str, segment: str | None):
    client, base = world.caller(endpoint), world.reaching_query(endpoint)

    def send(values: dict[str, str]) -> TestResponse:
        path_values = world.values("A")
        query = {**base, **values}
        if segment is not None:
            path_values = {**path_values, segment: query.pop(segment)}
        path = fill(rule, path_values)
        return client.get(path, query_string=query, headers=BEARER, follow_redirects=True)

    return send


def _get_reflections(world: World) -> Iterator[Reflection]:
    for rule, endpoint, _methods in GET_RULES:
        base = world.reaching_query(endpoint)
        free = [n for n in (*PARAMETERS, *READ_PARAMETERS) if n not in base]
        groups = [(None, free)] + [(None, [name]) for name in base]
        groups += [(name, [name]) for name in re.findall(r"<(?:[^:>]*:)?([a-z_]+)>", rule)]
        for segment, names in groups:
            send = _get_sender(world, endpoint, rule, segment)
            fields = _reflected(send(_markers(names)), names)
            if fields:
                yield Reflection(f"GET {rule} {segment or ''}", send, fields)


def _form_sender(world: World, endpoint: str, page_url: str, index: int):
    client = world.caller(endpoint)

    def send(values: dict[str, str]) -> TestResponse:
        page = client.get(page_url, follow_redirects=True)  # fresh tokens and nonces
        action, hidden, _visible = _forms(page)[index]
        target = urljoin(page.request.url, action or page.request.path)
        return client.post(target, data={**hidden, **values}, follow_redirects=True)

    return send


def _form_reflections(world: World) -> Iterator[Reflection]:
    pages = [(fill(r, world.values("A")), e) for r, e, _m in GET_RULES]
    pages.append(("/hotspot?" + _entry_query(world), "splash.entry"))
    for url, endpoint in pages:
        page = world.caller(endpoint).get(url, follow_redirects=True)
        for index, (action, _hidden, visible) in enumerate(_forms(page)):
            if not visible or urlsplit(action).path in SKIPPED_ACTIONS:
                continue
            send = _form_sender(world, endpoint, url, index)
            fields = _reflected(send(_markers(visible)), visible)
            if fields:
                yield Reflection(f"POST {action} (form of {url[:40]})", send, fields)


def _entry_query(world: World) -> str:
    from urllib.parse import urlencode

    return urlencode(world.reaching_query("splash.entry"))


def _safe_in_page(url: str) -> bool:
    # The layout's empty favicon (``data:,``) keeps phones from asking for one; "?…"
    # links are the report tables' own sorting and paging.
    return url == "data:," or url.startswith("?") or bool(SAFE_URL.match(url.strip()))


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from tests.admin.browser import chromium
    from tests.splash.browser import require_chromium

    require_chromium()
    with chromium() as launched:
        yield launched


def test_no_reflected_payload_executes_in_chromium(world: World, browser):
    if world.backend != "sqlite":
        pytest.skip("what a page reflects does not depend on the database; run once")
    corpus = load_payloads()
    assert len(corpus) >= 200
    reflections = [*_get_reflections(world), *_form_reflections(world)]
    labels = [r.label for r in reflections]
    assert any("/hotspot" in label for label in labels), labels
    page = browser.new_page()
    page.add_init_script(HOOKS)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    served: dict[str, str] = {}
    page.route("**/*", lambda route: route.abort())  # nothing leaves the machine
    page.route(
        "http://portal.invalid/",
        lambda route: route.fulfill(body=served["html"], content_type="text/html"),
    )
    loads = 0
    for reflection in reflections:
        width = len(reflection.fields)
        for start in range(0, len(corpus), width):
            chunk = corpus[start : start + width]
            values = dict(zip(reflection.fields, chunk, strict=False))
            response = reflection.send(values)
            if response.mimetype != "text/html":
                continue  # JSON and text are never rendered (nosniff is checked)
            served["html"] = response.get_data(as_text=True)
            page.goto("http://portal.invalid/")
            page.keyboard.press("Tab")
            found = page.evaluate(AUDIT_SCRIPT)
            where = (reflection.label, chunk)
            assert found["fired"] == [] and not found["pwned"], where
            assert found["handlers"] == [] and found["scripts"] == 0, (where, found)
            unsafe = [u for u in found["urls"] if not _safe_in_page(u)]
            assert unsafe == [], (where, unsafe)
            loads += 1
    assert dialogs == []
    assert loads >= len(corpus)
    page.close()
