"""The reports API at /api/v1: usage figures as JSON or Satu Data CSV, for bearer tokens.

Deny by default: one before_request authenticates every endpoint except those listed in
`PUBLIC_ENDPOINTS` (the metadata, which holds no figures). Errors are JSON.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Flask, Response, g, jsonify, request, stream_with_context

from portal.adapters import export_files
from portal.database import db
from portal.domain.accounts import tokens
from portal.domain.network.regions import UnknownRegion, lookup
from portal.domain.reporting import exports, metadata, reports, satudata
from portal.web import context

bp = Blueprint("api", __name__, url_prefix="/api/v1")
PUBLIC_ENDPOINTS = frozenset({"api.usage_metadata"})


class BadParameter(ValueError):
    """A query parameter is missing or malformed; the message says which."""


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


def _scope() -> str:
    try:
        return lookup(request.args.get("scope", "")).kode
    except UnknownRegion as error:
        raise BadParameter(f"'scope': {error}") from None


@bp.get("/usage")
def usage() -> Response | tuple[Response, int]:
    """Usage of an area: ?scope=&from=&to=&group=day|hour|village[&format=csv][&variant=open]."""
    scope, start, end = _scope(), _date("from"), _date("to")
    group = _choice("group", reports.GROUPS, "day")
    output = _choice("format", ("json", "csv"), "json")
    variant = _choice("variant", satudata.VARIANTS, "internal")
    try:
        tokens.check_scope(g.api_token, scope)
    except tokens.OutsideTokenScope:
        return problem(403, f"this token covers {g.api_token.scope_kode} only")
    options = {
        "group": group, "variant": variant, "totals": request.args.get("totals") == "1",
        "threshold": context.settings().suppression_threshold,
    }  # fmt: skip
    if output == "csv":
        months = export_files.MonthFiles(export_files.folder_of(context.settings().data_dir))
        chunks = exports.export_csv(
            db.session, scope, start, end, months=months, now=context.now(), **options
        )
        name = f"wifidesa-{scope}-{start}-{end}-{group}-{variant}.csv"
        return Response(
            stream_with_context(chunks),
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    records = satudata.export_records(db.session, scope, start, end, **options)
    return jsonify(
        scope=scope, group=group, variant=variant, columns=list(satudata.columns(group)),
        rows=records, metadata=_metadata_url(group, start, end, variant),
        **{"from": start.isoformat(), "to": end.isoformat()},
    )  # fmt: skip


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


def _metadata_url(group: str, start: date, end: date, variant: str) -> str:
    return (
        f"{request.script_root}/api/v1/usage/metadata.json"
        f"?group={group}&from={start}&to={end}&variant={variant}"
    )


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
