"""What every response must carry (AT-16, AT-19): a strict Content-Security-Policy,
nosniff, a referrer policy, HSTS behind https, and well-flagged cookies."""

from __future__ import annotations

from flask import Flask
from werkzeug.exceptions import HTTPException
from werkzeug.test import TestResponse

from portal.security import MACHINE_BLUEPRINTS

REFERRER_POLICIES = {"no-referrer", "same-origin", "strict-origin"}
HSTS_MIN_SECONDS = 31_536_000


def csp_directives(header: str) -> dict[str, list[str]]:
    """``{"script-src": ["'self'"], …}`` of a Content-Security-Policy header."""
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives.setdefault(words[0].lower(), [w.lower() for w in words[1:]])
    return directives


def check_csp(header: str | None) -> None:
    assert header, "no Content-Security-Policy"
    csp = csp_directives(header)
    scripts = csp.get("script-src", csp.get("default-src"))
    assert scripts is not None, "no script-src or default-src"
    for unsafe in ("'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:"):
        assert unsafe not in scripts, f"script sources allow {unsafe}"
    assert csp.get("object-src") == ["'none'"], header
    assert csp.get("base-uri") == ["'none'"], header
    assert csp.get("frame-ancestors") == ["'none'"], header


def check_cookie(header: str, *, secure_site: bool, session_name: str) -> None:
    name = header.split("=", 1)[0].strip()
    flags = {part.strip().split("=", 1)[0].lower(): part.strip() for part in header.split(";")[1:]}
    assert "httponly" in flags, header
    assert flags.get("samesite", "").lower() in ("samesite=lax", "samesite=strict"), header
    if secure_site:
        assert "secure" in flags, header
    if name == session_name and secure_site:
        # The __Host- prefix: Secure, Path=/ and no Domain, or the browser drops it.
        assert name.startswith("__Host-"), header
        assert flags.get("path") == "Path=/" and "domain" not in flags, header


def _answers_a_machine(app: Flask, response: TestResponse) -> bool:
    """Whether the route is one of the machines' (portal.security.MACHINE_BLUEPRINTS)."""
    try:
        endpoint, _ = app.url_map.bind("localhost").match(
            response.request.path, method=response.request.method
        )
    except HTTPException:
        return False
    return endpoint.split(".", 1)[0] in MACHINE_BLUEPRINTS


def check_machine_answer(response: TestResponse) -> None:
    """A router's answer: never HTML, never a cookie, nosniff on any body."""
    assert response.mimetype != "text/html", "a machine answer is a page"
    assert "Set-Cookie" not in response.headers, "a machine answer sets a cookie"
    if response.data:
        assert response.headers.get("X-Content-Type-Options") == "nosniff"


def check_response(app: Flask, response: TestResponse) -> None:
    """Assert the security headers and cookie flags of one response (for a machine's
    answer, `check_machine_answer`; an HTML page from a machine route is a page)."""
    headers = response.headers
    where = f"{response.request.method} {response.request.path} → {response.status_code}"
    if response.mimetype != "text/html" and _answers_a_machine(app, response):
        try:
            check_machine_answer(response)
        except AssertionError as failure:
            raise AssertionError(f"{where}: {failure}") from None
        return
    try:
        check_csp(headers.get("Content-Security-Policy"))
        assert headers.get("X-Content-Type-Options") == "nosniff"
        assert headers.get("Referrer-Policy") in REFERRER_POLICIES
        secure_site = app.extensions["wifidesa.settings"].public_url.startswith("https://")
        if secure_site:
            hsts = headers.get("Strict-Transport-Security", "")
            assert hsts.startswith("max-age="), "no HSTS behind https"
            assert int(hsts.split("=", 1)[1].split(";")[0]) >= HSTS_MIN_SECONDS, hsts
        for cookie in headers.getlist("Set-Cookie"):
            check_cookie(
                cookie, secure_site=secure_site, session_name=app.config["SESSION_COOKIE_NAME"]
            )
    except AssertionError as failure:
        raise AssertionError(f"{where}: {failure}") from None
