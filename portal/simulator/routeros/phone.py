"""A resident's phone without a browser: HTTP requests, forms, and the login page's JavaScript.

A new connection per request and no cookies (the captive-portal mini-browser keeps none,
reference §8.4). With `javascript=True` the phone does what the stock login page's script
does with the router's md5.js: it sends hexMD5(chap-id + password + chap-challenge) instead
of the password (manual "Hotspot customisation", Misc; §1.5); without it, the plain password
(http-pap).
"""

from __future__ import annotations

import hashlib
import http.client
import re
import urllib.parse
from dataclasses import dataclass

from portal.simulator.web import forms_of

__all__ = ["Page", "Phone"]

_OCTAL_STRING = re.compile(r"'((?:\\[0-7]{3})+)'")


@dataclass
class Page:
    url: str
    status: int
    headers: dict[str, str]
    body: str

    def forms(self) -> list[tuple[str, dict[str, str]]]:
        return forms_of(self.body)


class Phone:
    """One device on the hotspot. Every request goes to the router (`router`, the twin's
    servlet: the hotspot intercepts a client's HTTP), except for hosts in `routes`, which the
    router forwards (the central portal, through the link). `mac` goes in X-Twin-Mac (the
    twin's stand-in for layer 2)."""

    def __init__(
        self,
        mac: str,
        router: tuple[str, int],
        routes: dict[str, tuple[str, int]] | None = None,
        javascript: bool = True,
        timeout: float = 15.0,
    ) -> None:
        self.mac = mac
        self.router = router
        self.routes = dict(routes or {})
        self.javascript = javascript
        self.timeout = timeout
        self.requests: list[str] = []

    def request(self, url: str, data: dict[str, str] | None = None) -> Page:
        """One GET (POST with `data`); redirects are returned, not followed."""
        parts = urllib.parse.urlsplit(url)
        host, port = self.routes.get(parts.netloc, self.router)
        connection = http.client.HTTPConnection(host, port, timeout=self.timeout)
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        headers = {"X-Twin-Mac": self.mac, "Connection": "close", "Host": parts.netloc}
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.requests.append(url)
        try:
            connection.request("POST" if data is not None else "GET", path, body, headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            return Page(url, response.status, dict(response.headers), text)
        finally:
            connection.close()

    def follow(self, page: Page, limit: int = 8) -> Page:
        """Follow 30x answers (relative or absolute), at most `limit` hops."""
        for _ in range(limit):
            if page.status not in (301, 302, 303, 307):
                return page
            target = urllib.parse.urljoin(page.url, page.headers.get("Location", ""))
            page = self.request(target)
        return page

    def captive_check(self) -> Page:
        """The OS's probe (http://connectivitycheck.gstatic.com/generate_204) caught by the
        hotspot and redirected to its login page, which the phone then opens."""
        return self.follow(self.request("http://connectivitycheck.gstatic.com/generate_204"))

    def submit(self, page: Page, form: tuple[str, dict[str, str]], **overrides: str) -> Page:
        """Submit `form` of `page`; a login form's password goes as CHAP when JS runs."""
        action, fields = form
        fields = {**fields, **overrides}
        if self.javascript and "hexMD5" in page.body and "password" in fields:
            fields["password"] = chap_response(page.body, fields["password"])
        return self.request(urllib.parse.urljoin(page.url, action), fields)


def chap_response(page_body: str, password: str) -> str:
    """hexMD5('$(chap-id)' + password + '$(chap-challenge)') with the octal strings the
    router wrote into the page (1 byte, then 16 bytes)."""
    found = [_bytes(match) for match in _OCTAL_STRING.findall(page_body)]
    chap_id = next((value for value in found if len(value) == 1), None)
    challenge = next((value for value in found if len(value) == 16), None)
    if chap_id is None or challenge is None:
        return password  # the page has no CHAP values: the script would send it plain
    return hashlib.md5(chap_id + password.encode() + challenge).hexdigest()  # noqa: S324


def _bytes(octal: str) -> bytes:
    return bytes(int(group, 8) for group in re.findall(r"\\([0-7]{3})", octal))
