"""Response headers every page carries."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from flask import Flask, Response, abort, request
from flask.sessions import SecureCookieSessionInterface, SessionMixin

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


#: Methods that never change anything (RFC 9110 safe methods).
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
#: Blueprints whose posts come from other origins by design: the router's own login and
#: status pages (served by the gateway at its hotspot address) post to /hotspot and
#: /hotspot/status, and the accept form carries its own signed one-use ticket.
CROSS_ORIGIN_BLUEPRINTS = frozenset({"splash", "routers"})
#: Blueprints that answer machines, never browsers: the routers' scheduler reads a line
#: of text/plain and stores the hotspot files as bytes. Their answers carry only
#: ``nosniff`` (a browser that opens one shows text) and no session: the page policies
#: and ``Vary: Cookie`` would cross a satellite link with every ten-minute heartbeat.
MACHINE_BLUEPRINTS = frozenset({"routers"})


def is_machine_answer(response: Response) -> bool:
    """Whether ``response`` answers a machine: from a `MACHINE_BLUEPRINTS` view and not
    HTML (an error page rendered for one keeps every page policy)."""
    return request.blueprint in MACHINE_BLUEPRINTS and response.mimetype != "text/html"


class PageSessionInterface(SecureCookieSessionInterface):
    """The signed-cookie session, left out of machine answers (no cookie, no ``Vary``).

    Flask-Login looks at the session after every request, which marks it as read and
    makes the cookie session add ``Vary: Cookie``; a router never holds a cookie.
    """

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if request.blueprint in MACHINE_BLUEPRINTS:
            return
        super().save_session(app, session, response)


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def refuse_foreign_origin(public_url: str) -> None:
    """Abort with 403 when an unsafe request says it comes from another site.

    The Origin header (or, without one, the Referer) must name the public URL's origin
    or this request's own host. ``Origin: null`` is refused too: our pages send
    ``Referrer-Policy: same-origin``, under which browsers name the origin of a
    same-site form. Clients that send neither header (scripts, old browsers) pass
    here; the CSRF token still stands in their way.
    """
    claimed = request.headers.get("Origin") or request.headers.get("Referer")
    if claimed is None:
        return
    if claimed != "null":
        origin = _origin_of(claimed)
        if origin == _origin_of(public_url) or urlsplit(origin).netloc == request.host.lower():
            return
    abort(403)


def init_app(app: Flask) -> None:
    app.session_interface = PageSessionInterface()

    @app.before_request
    def _same_origin_writes() -> None:
        if request.method in SAFE_METHODS or request.blueprint in CROSS_ORIGIN_BLUEPRINTS:
            return
        refuse_foreign_origin(app.extensions["wifidesa.settings"].public_url)

    @app.before_request
    def _refuse_nul_bytes() -> None:
        # The residents' blueprint first lowers the body limit, then checks its own form
        # (parsing it here would read a body that blueprint refuses as too large).
        refuse_nul_bytes(include_form=request.blueprint != "splash")

    @app.after_request
    def _security_headers(response: Response) -> Response:
        headers = response.headers
        if is_machine_answer(response):
            if response.status_code != 204:  # a body a browser might open: shown as text
                headers.setdefault("X-Content-Type-Options", "nosniff")
            return response
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        # Nothing leaves for other sites; same-site posts still name their Origin.
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if app.config["SESSION_COOKIE_SECURE"]:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response
