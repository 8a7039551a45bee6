"""Small helpers shared by the admin views: settings, audit, local times."""

from __future__ import annotations

from flask_login import current_user

from portal import messages
from portal.database import db
from portal.domain import audit as audit_log
from portal.domain.errors import DomainError
from portal.i18n import current_language
from portal.models import AdminUser
from portal.web import context, formatting

settings, master_key = context.settings, context.master_key


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


local = formatting.local_datetime


def refused(error: DomainError) -> str:
    """A domain refusal in the console's language (`portal.messages.refusal`)."""
    return messages.refusal(error, current_language())
