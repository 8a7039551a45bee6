"""The village bulletin: which announcements show now, in which order, as safe HTML."""

from __future__ import annotations

import html
from datetime import datetime
from functools import lru_cache

import nh3
import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal.models import Announcement, Village

#: Most announcements the splash shows; the public bulletin page shows more.
SPLASH_LIMIT = 5
PAGE_LIMIT = 50
#: Longer bodies are shown on the splash as a plain excerpt of EXCERPT_CHARS characters
#: with a link to the bulletin page, so five announcements always fit the page budget.
SPLASH_BODY_CHARS = 1200
EXCERPT_CHARS = 280

# A second line of defence: bodies are sanitised when written, and again when shown,
# so a row written by an older version (or by hand) cannot carry script.
_TAGS = {"p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "a", "h3", "h4", "blockquote"}
_ATTRIBUTES = {"a": {"href"}}
_SCHEMES = {"http", "https", "mailto", "tel"}


def current_announcements(
    session: Session, village: Village, now: datetime, *, limit: int = SPLASH_LIMIT
) -> list[Announcement]:
    """The village's published announcements showing at ``now`` (naive UTC).

    Emergency first, then pinned, then newest (by start, else creation). Scheduled
    ones appear only inside their window: ``starts_at <= now < ends_at``.
    """
    newest = sa.func.coalesce(Announcement.starts_at, Announcement.created_at)
    query = (
        sa.select(Announcement)
        .where(
            Announcement.village_kode == village.kode,
            Announcement.published.is_(True),
            sa.or_(Announcement.starts_at.is_(None), Announcement.starts_at <= now),
            sa.or_(Announcement.ends_at.is_(None), Announcement.ends_at > now),
        )
        .order_by(
            Announcement.emergency.desc(),
            Announcement.pinned.desc(),
            newest.desc(),
            Announcement.id.desc(),
        )
        .limit(limit)
    )
    return list(session.scalars(query))


@lru_cache(maxsize=512)
def safe_html(body_html: str) -> str:
    """``body_html`` reduced to a small allow-list of tags; links get rel=noopener.

    Cached by content: bodies change rarely and every splash shows the same few.
    """
    return nh3.clean(
        body_html or "",
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes=_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )


def is_long(body_html: str) -> bool:
    """Whether a body is too long to show in full on the splash."""
    return len(safe_html(body_html)) > SPLASH_BODY_CHARS


def excerpt(body_html: str, limit: int = EXCERPT_CHARS) -> str:
    """The body as plain text, cut at a word boundary to at most ``limit`` characters."""
    text = " ".join(nh3.clean(body_html or "", tags=set()).split())
    text = html.unescape(text)
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",.;:") + "…"
