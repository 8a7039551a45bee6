"""Terms-of-use versions as regency admins write them (the splash shows the newest)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal.models import TermsVersion

MIN_POINTS, MAX_POINTS = 3, 5


class InvalidTerms(ValueError):
    """The summary does not have 3–5 points, or the full text is empty."""


def summary_points(summary: str) -> list[str]:
    """The non-empty lines of a summary, without list markers."""
    points = [line.strip().lstrip("-•*").strip() for line in summary.splitlines()]
    return [point for point in points if point]


def publish_terms(
    session: Session,
    *,
    scope_kode: str,
    summary: str,
    full_text: str,
    now: datetime,
    created_by_id: int | None = None,
) -> TermsVersion:
    """Publish the next version of a regency's (or province's) terms.

    Raises InvalidTerms when the summary is not 3–5 points or the full text is empty.
    """
    points = summary_points(summary)
    if not MIN_POINTS <= len(points) <= MAX_POINTS:
        raise InvalidTerms(f"the summary needs {MIN_POINTS} to {MAX_POINTS} points")
    if not full_text.strip():
        raise InvalidTerms("the full text is empty")
    latest = session.scalar(
        sa.select(sa.func.max(TermsVersion.version)).where(TermsVersion.scope_kode == scope_kode)
    )
    version = TermsVersion(
        scope_kode=scope_kode,
        version=(latest or 0) + 1,
        summary="\n".join(points),
        full_text=full_text.strip(),
        published_at=now,
        created_by_id=created_by_id,
    )
    session.add(version)
    session.flush()
    return version
