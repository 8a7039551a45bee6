"""The reports API at /api/v1: usage figures as JSON or Satu Data CSV, for bearer tokens.

Deny by default: one before_request authenticates every endpoint except those listed in
`PUBLIC_ENDPOINTS` (the metadata, which holds no figures). Errors are JSON.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Flask, Response, g, jsonify, request

from portal.database import db
from portal.domain.accounts import tokens
from portal.domain.reporting import metadata, reports, satudata
from portal.web import context, usage_export
from portal.web.usage_export import BadParameter

bp = Blueprint("api", __name__, url_prefix="/api/v1")
PUBLIC_ENDPOINTS = frozenset({"api.usage_metadata"})


def problem(status: int, message: str) -> tuple[Response, int]:
    response = jsonify({"error": message})
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="wifidesa"'
    return response, status


@bp.before_request
def _require_token() -> tuple[Response, int] | None:
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    header = request.headers.get("Authorization", "")
    presented = header[7:].strip() if header[:7].lower() == "bearer " else None
    try:
        g.api_token = tokens.authenticate(db.session, presented, context.now())
    except tokens.TokenRejected:
        return problem(401, "a valid bearer token is required")
    return None


@bp.after_request
def _private(response: Response) -> Response:
    # Figures are per token scope (and exact unless variant=open): no shared caches.
    response.headers.setdefault("Cache-Control", "no-store")
    return response


@bp.errorhandler(BadParameter)
@bp.errorhandler(reports.InvalidReportRequest)
def _bad_request(error: ValueError) -> tuple[Response, int]:
    return problem(400, str(error))


def _date(name: str) -> date:
    raw = request.args.get(name, "")
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise BadParameter(f"'{name}' must be a date YYYY-MM-DD") from None


def _choice(name: str, choices: tuple[str, ...], default: str) -> str:
    value = request.args.get(name, default)
    if value not in choices:
        raise BadParameter(f"'{name}' must be one of {', '.join(choices)}")
    return value


@bp.get("/usage")
def usage() -> Response | tuple[Response, int]:
    """Usage of an area: ?scope=&from=&to=&group=day|hour|village[&format=csv][&variant=open]
    (`portal.web.usage_export`, which the report pages' download answers with too)."""
    query = usage_export.parse_query(request.args)
    try:
        tokens.check_scope(g.api_token, query.scope)
    except tokens.OutsideTokenScope:
        return problem(403, f"this token covers {g.api_token.scope_kode} only")
    return usage_export.usage_response(query)


@bp.get("/usage/metadata.json")
def usage_metadata() -> Response:
    """The Satu Data metadata of an export: ?group=&from=&to=&variant= (all optional)."""
    group = _choice("group", reports.GROUPS, "day")
    variant = _choice("variant", satudata.VARIANTS, "open")
    today = context.now().date()
    start = _date("from") if "from" in request.args else today
    end = _date("to") if "to" in request.args else start
    settings = context.settings()
    return jsonify(
        metadata.metadata(
            group, start, end, variant=variant, threshold=settings.suppression_threshold,
            producer="Diskominfo (penyelenggara Wifi Desa)",
        )
    )  # fmt: skip


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
