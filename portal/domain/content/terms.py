"""Terms of use: the versions a regency (or province) publishes, and which one applies.

A version has a summary of 3–5 plain points (one per line, shown on the splash) and a
full text. A village reads its regency's newest version, else its province's. How often
a version was accepted is counted by `portal.domain.access.acceptance`, never per person.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal.domain.errors import DomainError
from portal.models import TermsVersion, Village

MIN_POINTS, MAX_POINTS = 3, 5
#: A page showing the terms may be a little old (a router fetches its copy now and then):
#: a version still counts as shown this long after a newer one replaced it.
STILL_SHOWN = timedelta(hours=24)


class InvalidTerms(DomainError):
    """The summary does not have 3–5 points, or the full text is empty."""


def _points(summary: str) -> list[str]:
    """Every plain point of a summary: its non-empty lines without list markers."""
    points = [line.strip().lstrip("-•*").strip() for line in summary.splitlines()]
    return [point for point in points if point]


def summary_points(summary: str) -> list[str]:
    """The summary's plain points, one per non-empty line without list markers, at most five."""
    return _points(summary)[:MAX_POINTS]


_NUMBERED = re.compile(r"^\s*\d{1,3}[.)]\s+")
_BULLET = re.compile(r"^\s*[-•*]\s+")


@dataclass(frozen=True)
class Block:
    """A part of the full terms: a paragraph ("p", its lines), a numbered list ("ol")
    or a bulleted list ("ul", the items without their markers)."""

    kind: str
    lines: tuple[str, ...]


def full_text_blocks(text: str) -> list[Block]:
    """The full terms as paragraphs and lists, as a person typed them: blank lines part
    paragraphs; lines starting "1." / "2)" are a numbered list, "-" / "•" a bulleted
    one (items parted by blank lines still make one list); a line without a marker
    right after a list item continues that item."""
    blocks: list[Block] = []

    def close(kind: str, lines: list[str]) -> None:
        if not lines:
            return
        if kind != "p" and blocks and blocks[-1].kind == kind:
            blocks[-1] = Block(kind, blocks[-1].lines + tuple(lines))
        else:
            blocks.append(Block(kind, tuple(lines)))

    for chunk in re.split(r"\n\s*\n", text.strip()):
        kind, lines = "", []
        for line in filter(None, (raw.strip() for raw in chunk.splitlines())):
            marker = "ol" if _NUMBERED.match(line) else "ul" if _BULLET.match(line) else ""
            if not marker and kind in ("ol", "ul"):
                lines[-1] = f"{lines[-1]} {line}"
                continue
            if (marker or "p") != kind:
                close(kind, lines)
                kind, lines = marker or "p", []
            lines.append((_NUMBERED if marker == "ol" else _BULLET).sub("", line))
        close(kind, lines)
    return blocks


def current_terms(session: Session, village: Village) -> TermsVersion | None:
    """The newest terms of the village's regency, else of its province, else None."""
    regency, province = village.kode[:5], village.kode[:2]
    return session.scalar(
        sa.select(TermsVersion)
        .where(TermsVersion.scope_kode.in_([regency, province]))
        .order_by(
            sa.case((TermsVersion.scope_kode == regency, 0), else_=1),
            TermsVersion.version.desc(),
        )
        .limit(1)
    )


def shown_version(
    session: Session, village: Village, version_id: int, now: datetime
) -> TermsVersion | None:
    """The version ``version_id`` when a page may still show it at ``village``: it is the
    village's current terms, or one of its regency's or province's that a newer one
    replaced less than `STILL_SHOWN` ago. None otherwise (unknown, another regency's, or
    replaced long ago)."""
    version = session.get(TermsVersion, version_id)
    regency, province = village.kode[:5], village.kode[:2]
    if version is None or version.scope_kode not in (regency, province):
        return None
    current = current_terms(session, village)
    if current is not None and current.id == version.id:
        return version
    # What replaced it: a newer version of its own scope, or (for a province's) the
    # regency's first; it counts from the earliest of them.
    newer = sa.or_(
        sa.and_(TermsVersion.scope_kode == version.scope_kode,
                TermsVersion.version > version.version),
        sa.and_(sa.literal(version.scope_kode == province), TermsVersion.scope_kode == regency),
    )  # fmt: skip
    replaced_at = session.scalar(sa.select(sa.func.min(TermsVersion.published_at)).where(newer))
    if replaced_at is not None and now - replaced_at < STILL_SHOWN:
        return version
    return None


def publish_terms(
    session: Session,
    *,
    scope_kode: str,
    summary: str,
    full_text: str,
    now: datetime,
    created_by_id: int | None = None,
) -> TermsVersion:
    """Publish the next version of a regency's (or province's) terms; only flushes.

    Raises InvalidTerms when the summary is not 3–5 points or the full text is empty.
    """
    points = _points(summary)
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
