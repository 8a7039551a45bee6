"""Open-redirect payloads (AT-15) and the check every Location, link and form action of
the matrix must pass: a same-site path, or http(s) to an allow-listed host."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import ClassVar
from urllib.parse import parse_qs, urljoin, urlsplit

EVIL = "evil.example"
#: Ways to name another host, or another scheme, that parsers have been fooled by.
PAYLOADS = [
    f"//{EVIL}",
    f"//{EVIL}/",
    f"///{EVIL}",
    f"////{EVIL}/x",
    f"/\\{EVIL}",
    f"\\\\{EVIL}",
    f"\\/{EVIL}",
    f"/\\/{EVIL}",
    f"https://{EVIL}",
    f"http://{EVIL}/login",
    f"https:{EVIL}",
    f"http:/{EVIL}",
    f"https:/\\{EVIL}",
    f"https:\\\\{EVIL}",
    f"HTTPS://{EVIL.upper()}",
    f" https://{EVIL}",
    f"\thttps://{EVIL}",
    f"https://{EVIL}%2F%2E%2E",
    f"%2F%2F{EVIL}",
    f"%2f%2f{EVIL}",
    f"/%2F{EVIL}",
    f"%5C%5C{EVIL}",
    f"/%5C{EVIL}",
    f"%252F%252F{EVIL}",
    f"https://hs-a.desa.lan@{EVIL}/login",
    f"http://hs-a.desa.lan:80@{EVIL}/login",
    f"http://{EVIL}#@hs-a.desa.lan/login",
    f"http://{EVIL}?@hs-a.desa.lan/login",
    f"http://{EVIL}\\@hs-a.desa.lan/login",
    f"http://hs-a.desa.lan.{EVIL}/login",
    f"http://{EVIL}/hs-a.desa.lan/login",
    f"http://{EVIL}%00.hs-a.desa.lan/login",
    "http://hs-a.desa.lan%2F@evil.example/login",
    f"http://localhost@{EVIL}",
    f"https://portal.example.id.{EVIL}/",
    f"https://portal.example.id@{EVIL}/",
    "http://0x7f.1/",
    "http://[::ffff:8.8.8.8]/login",
    "http://8.8.8.8/login",
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    "java\tscript:alert(1)",
    "\x01javascript:alert(1)",
    "javascript://%0Aalert(1)",
    "data:text/html,<script>alert(1)</script>",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    f"ftp://{EVIL}/",
    f"http://{EVIL}\r\nSet-Cookie: a=b",
    f"/login\r\nLocation: https://{EVIL}",
    f"%0d%0aLocation:%20https://{EVIL}",
    f"http://{EVIL}%E3%80%82hs-a.desa.lan/",
    "http://evil。example/",
]
#: Parameters that could end in a Location, a link or a form action.
PARAMETERS = (
    "next", "dst", "url", "redirect", "redirect_to", "return_to", "continue", "target",
    "link-orig", "link-login-only", "link-login", "link-status", "link-logout", "lang",
)  # fmt: skip

_CONTROL_OR_BACKSLASH = re.compile(r"[\x00-\x20\x7f\\]")


def unsafe_url(url: str, base: str, allowed_hosts: set[str]) -> str | None:
    """Why ``url`` (as found in a page at ``base``) is unsafe, or None when it is fine.

    Browsers forgive what Python's parser does not: a backslash is a slash, tabs and
    newlines vanish, leading spaces are stripped. Anything of that kind is refused
    outright rather than guessed at.
    """
    if _CONTROL_OR_BACKSLASH.search(url):
        return "control character, space or backslash"
    if url.startswith("#") or (url.startswith("/") and not url.startswith("//")):
        return None
    target = urlsplit(urljoin(base, url))
    if target.scheme not in ("http", "https"):
        return f"scheme {target.scheme!r}"
    if "@" in target.netloc:
        return "userinfo"
    if (target.hostname or "") not in allowed_hosts:
        return f"host {target.hostname!r}"
    return None


def unsafe_destination(url: str) -> str | None:
    """``dst`` is the resident's own first address, any http(s) host, but nothing a
    browser would read differently from us."""
    if _CONTROL_OR_BACKSLASH.search(url):
        return "control character, space or backslash"
    parts = urlsplit(url)
    if "@" in parts.netloc:
        return "userinfo"
    if parts.scheme not in ("http", "https") or not url.lower().startswith(parts.scheme + "://"):
        return f"not a plain http(s) address: {url!r}"
    return None


def router_destination(location: str) -> str | None:
    """The ``dst`` inside a redirect to the router's /login, or None."""
    values = parse_qs(urlsplit(location).query).get("dst")
    return values[0] if values else None


class _Links(HTMLParser):
    URL_ATTRIBUTES: ClassVar[dict[str, str]] = {
        "a": "href", "area": "href", "form": "action", "button": "formaction",
        "input": "formaction", "iframe": "src", "frame": "src", "base": "href",
        "embed": "src", "object": "data",
    }  # fmt: skip

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        wanted = self.URL_ATTRIBUTES.get(tag)
        if wanted and values.get(wanted) is not None:
            self.urls.append(values[wanted] or "")
        if tag == "meta" and (values.get("http-equiv") or "").lower() == "refresh":
            content = values.get("content") or ""
            self.urls.append(content.split("=", 1)[1] if "=" in content else "")


def page_urls(html: str) -> list[str]:
    """Every navigation target of a page: links, form actions, frames, meta refresh."""
    parser = _Links()
    parser.feed(html)
    return parser.urls
