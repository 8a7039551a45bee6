"""Endpoints the MikroTik gateways call themselves (no login; each checks a token).

``POST /mt/<nas-id>/heartbeat`` with ``token=…`` in the form is sent by the router's
scheduler every five minutes (see the generated .rsc): it marks the gateway as seen. An
unknown name and a wrong token get the same 404. A POST, not a GET: it changes state,
and a token in a URL ends up in proxies' logs.
"""

from __future__ import annotations

from flask import Blueprint, Flask, abort, request
from werkzeug.wrappers import Response

from portal.database import db
from portal.domain.network import gateways
from portal.web import context

bp = Blueprint("routers", __name__, url_prefix="/mt")


@bp.post("/<nas_id>/heartbeat")
def heartbeat(nas_id: str) -> tuple[str, int] | Response:
    token = request.form.get("token", "")
    if not token or len(token) > 128:
        abort(404)
    try:
        gateways.record_heartbeat(db.session, nas_identifier=nas_id, token=token, now=context.now())
    except gateways.UnknownGateway:
        abort(404)
    return "", 204


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
