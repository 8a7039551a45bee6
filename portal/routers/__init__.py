"""Endpoints the MikroTik gateways call themselves (no login; each checks a token).

* ``POST /mt/<nas-id>/heartbeat`` (form: ``token``, ``pages``, and after an outage
  ``outage``, ``emergency_logins``, ``emergency_seconds``, ``emergency_bytes``,
  ``outage_minutes``), sent by the router's scheduler every ten minutes (see the
  generated .rsc): marks the gateway as seen, records an outage report once, and
  answers ``text/plain`` with one line, ``ok`` or ``fetch <version>`` when the router
  should fetch its pages again. An unknown name and a wrong token get the same 404. A
  POST, not a GET: it changes state, and a token in a URL ends up in proxies' logs.
* ``GET /mt/<nas-id>/hotspot/<file>``: the gateway's router pages exactly as its hotspot
  directory keeps them, ``$(…)`` placeholders in place. With the gateway's ``?token=``
  the fetch is recorded (which version, when); without it the file is still served
  (it holds nothing secret beyond what the router serves to every phone) and nothing
  is recorded. A wrong token is a 404, like an unknown gateway or file.

The contract with the router (and the RouterOS twin) is in docs/field-checklist.md.
"""

from __future__ import annotations

import hmac

import sqlalchemy as sa
from flask import Blueprint, Flask, abort, request
from werkzeug.wrappers import Response

from portal.database import db
from portal.domain.access import router_pages
from portal.domain.network import gateways
from portal.domain.usage import outages
from portal.models import Gateway
from portal.web import context, router_files

bp = Blueprint("routers", __name__, url_prefix="/mt")
TOKEN_MAX = 128
#: Routers read these answers as text, never as a page: the shortest policy that still
#: forbids everything, since every heartbeat's headers cross a satellite link 144 times a
#: day (the app adds the other security headers to every response).
ROUTER_CSP = "default-src 'none'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"


@bp.after_request
def _short_policy(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = ROUTER_CSP
    return response


def _plain(text: str, status: int = 200) -> Response:
    """A one-line answer to a router's POST (never cached: answers to a POST are not)."""
    return Response(text, status=status, mimetype="text/plain")


@bp.post("/<nas_id>/heartbeat")
def heartbeat(nas_id: str) -> Response:
    form = request.form
    token = form.get("token", "")
    if not token or len(token) > TOKEN_MAX:
        abort(404)
    now = context.now()
    try:
        gateway = gateways.record_heartbeat(db.session, nas_identifier=nas_id, token=token, now=now)
    except gateways.UnknownGateway:
        abort(404)
    try:
        report = outages.parse_report(form)
    except outages.InvalidOutageReport as error:
        # A 400 rolls the heartbeat back too: the router sends the same report again.
        return _plain(f"error {error}", 400)
    held = router_pages.clean_version(form.get("pages", "")[:32])
    router_pages.note_held(gateway, held)
    if report is not None:
        outages.record_outage(db.session, gateway, report, now=now)
    if gateway.splash_location != "router":
        return _plain("ok")  # its login page forwards to the portal: nothing to fetch
    _files, current = router_files.current_files(db.session, gateway)
    return _plain(router_pages.heartbeat_answer(held, current))


@bp.get("/<nas_id>/hotspot/<name>")
def hotspot_file(nas_id: str, name: str) -> Response:
    if name not in router_pages.FILES:
        abort(404)
    gateway = db.session.scalar(sa.select(Gateway).where(Gateway.nas_identifier == nas_id[:64]))
    if gateway is None:
        abort(404)
    token = request.args.get("token")
    if token is not None and (
        len(token) > TOKEN_MAX
        or not hmac.compare_digest(gateway.heartbeat_token.encode(), token.encode())
    ):
        abort(404)
    files, version = router_files.current_files(db.session, gateway)
    if token is not None:
        router_pages.note_fetched(gateway, version, context.now())
    # Plain text: the router stores the bytes whatever the type, and the portal's own
    # origin never renders a page whose $(…) placeholders are still in place.
    response = Response(files[name], mimetype="text/plain")
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Pages-Version"] = version
    return response


def init_app(app: Flask) -> None:
    """Register the gateways' endpoints and the residents' pictures.

    RouterOS posts its heartbeat with its own token and no session, so an app-wide
    CSRFProtect (the console's) must skip it.
    """
    from portal.routers.media import bp as media_bp

    app.register_blueprint(bp)
    app.register_blueprint(media_bp)
    csrf = app.extensions.get("csrf")
    if csrf is not None:
        csrf.exempt(bp)
