"""The first page after login, and the audit log."""

from __future__ import annotations

import sqlalchemy as sa
from flask import render_template

from portal.admin import bp
from portal.admin.scope import in_scope, me
from portal.database import db
from portal.models import AuditEntry

AUDIT_PAGE = 200


@bp.get("/")
def dashboard() -> str:
    return render_template("admin/dashboard.html")


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
