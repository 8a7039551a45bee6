"""The usage export from the report pages: a form (period, area, grouping, JSON or Satu
Data CSV, internal or open variant) and the download, answered by
`portal.web.usage_export` exactly as the API answers (same bytes), for the logged-in
admin's region instead of a token's.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import Response, abort, g, redirect, render_template, request, url_for
from werkzeug.exceptions import BadRequest
from werkzeug.wrappers import Response as BaseResponse

from portal.database import db
from portal.domain import clock
from portal.domain.network.regions import covers, default_timezone, lookup
from portal.domain.reporting import reports, satudata
from portal.models import Village
from portal.reports import bp
from portal.web import context, usage_export


def _areas() -> list[tuple[str, str]]:
    """(code, label) of the admin's region, its regencies and its villages."""
    scope = g.scope
    villages = db.session.scalars(
        sa.select(Village).where(reports.in_scope(Village.kode, scope)).order_by(Village.kode)
    ).all()
    areas = [(scope, lookup(scope).nama)]
    if len(scope) == 2:
        regencies = sorted({v.regency_kode: v.regency_name for v in villages}.items())
        areas += [(kode, name) for kode, name in regencies]
    areas += [(v.kode, f"{v.name} (Kec. {v.district_name})") for v in villages if v.kode != scope]
    return areas


@bp.get("/unduh")
def export_form() -> str:
    """The download form, by default the last 30 local days of the admin's whole region."""
    end = clock.local_day(context.now(), default_timezone(g.scope))
    return render_template(
        "reports/export.html", areas=_areas(), start=end - timedelta(days=29), end=end,
        groups=reports.GROUPS, variants=satudata.VARIANTS,
    )  # fmt: skip


@bp.get("/unduh/data")
def export_file() -> Response | BaseResponse:
    """The export file; 400 for malformed parameters, 404 for an area outside the region
    (without any parameter: the form)."""
    if not request.args:
        return redirect(url_for("reports.export_form"))
    try:
        query = usage_export.parse_query(request.args)
    except usage_export.BadParameter as error:
        raise BadRequest(f"Parameter tidak valid: {error}") from None
    if not covers(g.scope, query.scope):
        abort(404)
    try:
        reports.check_range(query.start, query.end, query.group)
    except reports.InvalidReportRequest as error:
        raise BadRequest(f"Rentang tidak valid: {error}") from None
    return usage_export.usage_response(query, attachment=True)
