"""The HTTP half of the simulator: a RouterOS hotspot's login page and a phone's taps.

Plain urllib, redirects never followed automatically: each hop is printed and only
addresses on the portal itself are ever requested (the router's own /login is where
the simulated router *receives* the phone, so it is parsed, not fetched).
"""

from __future__ import annotations

import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from html.parser import HTMLParser

from portal.domain.access.hotspot import encode_octal

_VARIABLE = re.compile(r"\$\(([a-z0-9-]+)\)")


class SimulationFailed(Exception):
    """A step did not answer as a portal should; the message says which."""


@dataclass(frozen=True)
class RouterLogin:
    """What the portal sent the phone back to the router's /login with."""

    username: str
    password: str
    dst: str
    popup: str


class _Forms(HTMLParser):
    """Collects every form: its action and its named input values."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.forms.append((values.get("action", ""), {}))
        elif tag == "input" and self.forms and values.get("name"):
            self.forms[-1][1][values["name"]] = values.get("value", "")


def forms_of(html: str) -> list[tuple[str, dict[str, str]]]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def fetch(
    url: str, data: dict[str, str] | None = None, timeout: float = 10
) -> tuple[int, dict, str]:
    """(status, headers, body) of one GET, or POST when ``data`` is given."""
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body)  # noqa: S310 (http(s) URLs only, see run)
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode(errors="replace")


def router_variables(
    *,
    nas_id: str,
    mac: str,
    client_ip: str,
    hotspot_host: str,
    server_name: str,
    chap_id: bytes,
    chap_challenge: bytes,
    error: str = "",
) -> dict[str, str]:
    """The $(…) values RouterOS substitutes into login.html, CHAP values octal-escaped."""
    return {
        "identity": nas_id,
        "server-name": server_name,
        "mac": mac,
        "ip": client_ip,
        "username": "",
        "link-login-only": f"http://{hotspot_host}/login",
        "link-orig": "",
        "link-status": f"http://{hotspot_host}/status",
        "chap-id": encode_octal(chap_id),
        "chap-challenge": encode_octal(chap_challenge),
        "error": error,
        "trial": "no",
    }


def substitute(template: str, variables: dict[str, str]) -> str:
    """RouterOS-style substitution: every ``$(name)`` replaced by its raw value (not
    HTML-escaped, as RouterOS does), every ``$(name-esc)`` by its URL-escaped value."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in variables and name.endswith("-esc"):
            return urllib.parse.quote_plus(variables.get(name[: -len("-esc")], ""), safe="")
        return variables.get(name, "")

    return _VARIABLE.sub(value, template)


def same_origin(url: str, portal: str) -> bool:
    a, b = urllib.parse.urlsplit(url), urllib.parse.urlsplit(portal)
    return (a.scheme, a.netloc) == (b.scheme, b.netloc)


def parse_router_login(location: str, login_url: str) -> RouterLogin:
    """The credentials in the portal's redirect to the router's /login.

    Raises SimulationFailed when the redirect goes anywhere else.
    """
    if not location.startswith(login_url + "?"):
        raise SimulationFailed(f"redirect does not go to the router's login: {location[:80]}")
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)

    def one(name: str) -> str:
        return query.get(name, [""])[0]

    return RouterLogin(one("username"), one("password"), one("dst"), one("popup"))
