"""Endpoints the MikroTik gateways call themselves (no login; each checks a token).

* ``POST /mt/<nas-id>/heartbeat`` (form: ``token``, ``pages``, and after an outage
  ``outage``, ``emergency_logins``, ``emergency_seconds``, ``emergency_bytes``,
  ``outage_minutes``), sent by the router's scheduler every ten minutes (see the
  generated .rsc): marks the gateway as seen, records an outage report once, and
  answers ``204 No Content`` when the router has nothing to do, or ``text/plain`` with
  one line, ``fetch <version>``, when it should fetch its pages again. An unknown name
  and a wrong token get the same 404. A POST, not a GET: it changes state, and a token
  in a URL ends up in proxies' logs.
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
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from portal.database import db
from portal.domain.access import router_pages
from portal.domain.network import gateways, liveness
from portal.domain.usage import outages
from portal.models import Gateway
from portal.web import context, router_files

bp = Blueprint("routers", __name__, url_prefix="/mt")
TOKEN_MAX = 128
# Every answer here is text/plain for a machine: portal.security.MACHINE_BLUEPRINTS keeps
# the browser page headers and the session's Vary off them (they would cross a satellite
# link with every heartbeat, 144 times a day).


def _plain(text: str, status: int = 200) -> Response:
    """A one-line answer to a router's POST (never cached: answers to a POST are not)."""
    return Response(text, status=status, mimetype="text/plain")


@bp.errorhandler(HTTPException)
def _refused(error: HTTPException) -> Response:
    """A router reads a status, not a page: a refusal (404, 413…) is one line of text.
    Server errors keep the app's handler, which rolls the session back."""
    return _plain(f"error {error.code}", error.code or 500)


def _answer(line: str) -> Response:
    """The heartbeat's answer: ``ok`` as an empty 204 (the shortest HTTP answer there is,
    ~100 bytes with the proxy's headers, for the 144 a day with nothing to do), any
    other line as text."""
    if line != router_pages.NOTHING_TO_DO:
        return _plain(line)
    empty = Response(status=204)
    empty.headers.remove("Content-Type")  # no body, no type
    return empty


@bp.post("/<nas_id>/heartbeat")
def heartbeat(nas_id: str) -> Response:
    form = request.form
    token = form.get("token", "")
    if not token or len(token) > TOKEN_MAX:
        abort(404)
    now = context.now()
    try:
        gateway = liveness.record_heartbeat(db.session, nas_identifier=nas_id, token=token, now=now)
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
        # Its login page forwards to the portal: nothing to fetch.
        return _answer(router_pages.NOTHING_TO_DO)
    _files, current = router_files.current_files(db.session, gateway)
    return _answer(router_pages.heartbeat_answer(held, current))


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
