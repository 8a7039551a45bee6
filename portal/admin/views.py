"""Small helpers shared by the admin views: settings, audit, local times."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_login import current_user

from portal.config import Settings
from portal.database import db
from portal.domain import clock
from portal.domain.accounts import audit as audit_log
from portal.models import AdminUser


def settings() -> Settings:
    return current_app.extensions["wifidesa.settings"]


def master_key() -> str:
    return current_app.config["SECRET_KEY"]


def audit(
    action: str,
    object_type: str,
    object_id: object,
    scope_kode: str | None,
    *,
    detail: str = "",
    actor: AdminUser | None = None,
) -> None:
    """Record an admin action by the current user (or ``actor``) in this unit of work.

    ``detail`` describes the change; it never carries secrets or personal data.
    """
    from portal.admin import now

    user = actor or current_user.user
    audit_log.record(
        db.session,
        now=now(),
        actor=user.username,
        actor_id=user.id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        scope_kode=scope_kode,
        detail=detail,
    )


def local(moment: datetime | None, timezone: str = "WIB") -> str:
    """A stored UTC time as ``22-11-2026 19.05 WITA`` (empty for None)."""
    if moment is None:
        return ""
    return clock.to_local(moment, timezone).strftime("%d-%m-%Y %H.%M ") + timezone
