"""The first page after login, and the audit log."""

from __future__ import annotations

import sqlalchemy as sa
from flask import render_template

from portal.admin import bp, now
from portal.admin.scope import in_scope, load_scoped, me, scoped_villages
from portal.admin.views import local
from portal.database import db
from portal.domain.content import announcements
from portal.domain.reporting import dashboard as dashboard_domain
from portal.models import AuditEntry, Village

AUDIT_PAGE = 200


@bp.get("/")
def dashboard() -> str:
    villages = scoped_villages()
    if me().role == "village" and len(villages) == 1:
        return village_page(villages[0].kode)
    statuses = dashboard_domain.village_statuses(db.session, villages, now())
    return render_template(
        "admin/dashboard_region.html",
        statuses=statuses,
        counts=dashboard_domain.attention_counts(statuses),
        local=local,
        size=human_bytes,
    )


@bp.get("/villages/<kode>")
def village_page(kode: str) -> str:
    village = load_scoped(Village, kode)
    moment = now()
    status = dashboard_domain.village_statuses(db.session, [village], moment)[0]
    return render_template(
        "admin/dashboard_village.html",
        village=village,
        status=status,
        gateways=dashboard_domain.gateway_states(db.session, village, moment),
        notes=announcements.latest(db.session, village.kode),
        local=lambda m: local(m, village.timezone),
        size=human_bytes,
    )


def human_bytes(count: int) -> str:
    """``1234567`` → ``1,2 MB`` (Indonesian decimal comma)."""
    value = float(count)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            text = f"{value:.0f}" if unit == "B" else f"{value:.1f}".replace(".", ",")
            return f"{text} {unit}"
        value /= 1000
    return f"{count} B"


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
    return render_template("admin/audit.html", entries=entries)
