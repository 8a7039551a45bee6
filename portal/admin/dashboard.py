"""The first page after login, and the audit log."""

from __future__ import annotations

import sqlalchemy as sa
from flask import render_template

from portal.admin import activity, bp, now
from portal.admin.scope import in_scope, load_scoped, me, scoped_villages
from portal.admin.views import local
from portal.database import db
from portal.domain import clock
from portal.domain.content import announcements
from portal.domain.network import regions
from portal.domain.network.inventory import CONTRACT_WARNING_DAYS, contracts_ending
from portal.domain.reporting import status
from portal.models import AuditEntry, Village
from portal.web import formatting

AUDIT_PAGE = 200


@bp.get("/")
def dashboard() -> str:
    villages = scoped_villages()
    if me().role == "village" and len(villages) == 1:
        return village_page(villages[0].kode)
    scope = me().scope_kode
    result = status.overview(db.session, scope, now())
    today = clock.local_day(now(), regions.default_timezone(scope))
    return render_template(
        "admin/dashboard_region.html",
        area=regions.lookup(scope),
        statuses=status.needing_attention_first(result.villages),
        counts=result.attention_counts(),
        contracts=contracts_ending(db.session, area_kode=scope, today=today),
        warning_days=CONTRACT_WARNING_DAYS,
        local=local,
        size=formatting.amount,
    )


@bp.get("/villages/<kode>")
def village_page(kode: str) -> str:
    village = load_scoped(Village, kode)
    result = status.overview(db.session, village.kode, now())
    return render_template(
        "admin/dashboard_village.html",
        village=village,
        status=result.villages[0],
        gateways=result.gateways,
        notes=announcements.latest(db.session, village.kode),
        local=lambda m: local(m, village.timezone),
        size=formatting.amount,
    )


@bp.get("/log")
def audit_log() -> str:
    """The latest actions on objects in the admin's scope (a village admin sees only
    entries of their village; regency admins also see their own account's entries)."""
    scope_filter = in_scope(AuditEntry.scope_kode)
    if me().role == "village":
        scope_filter = AuditEntry.scope_kode == me().scope_kode
    entries = db.session.scalars(
        sa.select(AuditEntry)
        .where(scope_filter)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(AUDIT_PAGE)
    ).all()
    return render_template(
        "admin/audit.html", lines=activity.lines(db.session, entries, me().scope_kode)
    )
