"""The audit log: who did what to which object, and when."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from portal.models import AuditEntry


def record(
    session: Session,
    *,
    now: datetime,
    actor: str,
    action: str,
    object_type: str,
    object_id: object,
    scope_kode: str | None = None,
    actor_id: int | None = None,
    detail: str = "",
) -> AuditEntry:
    """Add one audit entry to the session (flushed with the rest of the unit of work).

    ``detail`` must not carry secrets or personal data; callers describe, never copy.
    """
    entry = AuditEntry(
        at=now,
        actor_id=actor_id,
        actor_label=actor[:64],
        action=action,
        object_type=object_type,
        object_id=str(object_id)[:64],
        scope_kode=scope_kode,
        detail=detail,
    )
    session.add(entry)
    return entry
