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


def refuse_nul_bytes(*, include_form: bool = True) -> None:
    """Abort with 400 when the path, the query or (for POST) the form holds a NUL byte.

    No text of ours may hold one, and PostgreSQL refuses it in a query parameter (a 500).
    """
    if "\x00" in request.path or _has_nul(request.args.values()):
        abort(400)
    if include_form and request.method == "POST" and _has_nul(request.form.values()):
        abort(400)


def init_app(app: Flask) -> None:
    @app.before_request
    def _refuse_nul_bytes() -> None:
        # The residents' blueprint first lowers the body limit, then checks its own form
        # (parsing it here would read a body that blueprint refuses as too large).
        refuse_nul_bytes(include_form=request.blueprint != "splash")

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
