"""Response headers every page carries."""

from __future__ import annotations

from collections.abc import Iterable

from flask import Flask, Response, abort, request

# No inline script anywhere, nothing from outside the portal, never framed.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self' http: https:",
    ]
)


def _has_nul(values: Iterable[str]) -> bool:
    return any("\x00" in value for value in values)


def init_app(app: Flask) -> None:
    @app.before_request
    def _refuse_nul_bytes() -> None:
        # No text of ours may hold a NUL byte, and PostgreSQL refuses one in a query
        # parameter (a 500). Refusing it here covers every route, form and lookup.
        if (
            "\x00" in request.path
            or _has_nul(request.args.values())
            or (request.method == "POST" and _has_nul(request.form.values()))
        ):
            abort(400)

    @app.after_request
    def _security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "no-referrer")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if app.config["SESSION_COOKIE_SECURE"]:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response
