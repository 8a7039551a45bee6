"""Where the app writes a request's values back into a page, found with markers.

Every query parameter and path segment of every GET route, and every field of every
form those pages show, is sent a harmless marker (``zq<n>xss``); the places where a
marker comes back are the `Reflection` points the XSS corpus is then sent through.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin, urlsplit

from werkzeug.test import TestResponse

from tests.security.conftest import API_TOKEN, World
from tests.security.redirects import PARAMETERS
from tests.security.routes import fill

BEARER = {"Authorization": f"Bearer {API_TOKEN}"}
#: Query parameters the views read (besides PARAMETERS and the router's fields).
READ_PARAMETERS = (
    "urut", "arah", "halaman", "dari", "sampai", "code", "s", "t", "token", "scope",
    "from", "to", "group", "format", "variant", "totals", "q", "page", "kind", "voucher",
)  # fmt: skip
#: Forms whose posting would end the admin's session, or that hold no fields.
SKIPPED_ACTIONS = ("/admin/logout", "/admin/language", "/admin/account/totp/off")
#: Hidden fields that are good for one post only: the form is fetched again each time.
ONE_USE_FIELDS = ("nonce",)
MARKER = re.compile(r"zq(\d+)xss")
_SEGMENT = re.compile(r"<(?:[^:>]*:)?([a-z_]+)>")


@dataclass
class Reflection:
    """A request whose ``fields`` come back in the HTML page it answers with."""

    label: str
    send: Callable[[dict[str, str]], TestResponse]
    fields: list[str]


class _Forms(HTMLParser):
    """(action, hidden values, visible field names) of each POST form of a page."""

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


def forms_of(page: TestResponse) -> list[tuple[str, dict[str, str], list[str]]]:
    parser = _Forms()
    parser.feed(page.get_data(as_text=True))
    return parser.forms


def _markers(names: list[str]) -> dict[str, str]:
    return {name: f"zq{index}xss" for index, name in enumerate(names)}


def _reflected(response: TestResponse, names: list[str]) -> list[str]:
    if response.mimetype != "text/html":
        return []  # JSON and plain text are never rendered (nosniff is checked)
    found = {int(n) for n in MARKER.findall(response.get_data(as_text=True))}
    return [name for index, name in enumerate(names) if index in found]


def _get_sender(world: World, endpoint: str, rule: str, segment: str | None):
    client, base = world.caller(endpoint), world.reaching_query(endpoint)

    def send(values: dict[str, str]) -> TestResponse:
        query, path_values = {**base, **values}, world.values("A")
        if segment is not None:
            path_values = {**path_values, segment: query.pop(segment)}
        path = fill(rule, path_values)
        return client.get(path, query_string=query, headers=BEARER, follow_redirects=True)

    return send


def get_reflections(world: World, rules: list[tuple[str, str, tuple[str, ...]]]):
    """Reflection points among the query parameters and path segments of ``rules``."""
    for rule, endpoint, _methods in rules:
        base = world.reaching_query(endpoint)
        free = [n for n in (*PARAMETERS, *READ_PARAMETERS) if n not in base]
        groups = [(None, free)] + [(None, [name]) for name in base]
        groups += [(name, [name]) for name in _SEGMENT.findall(rule)]
        for segment, names in groups:
            send = _get_sender(world, endpoint, rule, segment)
            fields = _reflected(send(_markers(names)), names)
            if fields:
                yield Reflection(f"GET {rule} {segment or ''}".strip(), send, fields)


def _form_sender(world: World, endpoint: str, page_url: str, index: int):
    client = world.caller(endpoint)
    cached: dict[str, tuple[str, dict[str, str]]] = {}

    def send(values: dict[str, str]) -> TestResponse:
        if "form" not in cached or any(name in cached["form"][1] for name in ONE_USE_FIELDS):
            page = client.get(page_url, follow_redirects=True)
            action, hidden, _visible = forms_of(page)[index]
            cached["form"] = (urljoin(page.request.url, action or page.request.path), hidden)
        target, hidden = cached["form"]
        return client.post(target, data={**hidden, **values}, follow_redirects=True)

    return send


def form_reflections(world: World, rules: list[tuple[str, str, tuple[str, ...]]]):
    """Reflection points among the fields of the POST forms the GET pages show (each
    form action once)."""
    pages = [(fill(rule, world.values("A")), endpoint) for rule, endpoint, _m in rules]
    pages.append(("/hotspot?" + urlencode(world.reaching_query("splash.entry")), "splash.entry"))
    seen: set[str] = set()
    for url, endpoint in pages:
        page = world.caller(endpoint).get(url, follow_redirects=True)
        for index, (action, _hidden, visible) in enumerate(forms_of(page)):
            path = urlsplit(action).path or urlsplit(url).path
            if not visible or path in SKIPPED_ACTIONS or path in seen:
                continue
            seen.add(path)
            send = _form_sender(world, endpoint, url, index)
            fields = _reflected(send(_markers(visible)), visible)
            if fields:
                yield Reflection(f"POST {path}", send, fields)


def all_reflections(world: World, rules) -> Iterator[Reflection]:
    yield from get_reflections(world, rules)
    yield from form_reflections(world, rules)
