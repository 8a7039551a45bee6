"""The village bulletin: Markdown in, sanitised HTML out, scheduling, what shows now.

Markdown is rendered with markdown-it (CommonMark, raw HTML allowed so imported
OpenSID articles keep their structure) and the result is always passed through nh3
with one small allow-list: whatever an admin or a feed writes, only these tags and
attributes reach a resident's phone. Bodies are sanitised when written and again when
shown (`safe_html`, cached by content), so a row written by an older version or
by hand cannot carry script either. Times are entered in the village's local time and
stored in UTC.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

import nh3
import sqlalchemy as sa
from markdown_it import MarkdownIt
from sqlalchemy.orm import Session

from portal.domain import clock
from portal.domain.errors import DomainError
from portal.models import Announcement, Village
from portal.models.content import CATEGORIES

ALLOWED_TAGS = frozenset(
    {"p", "br", "strong", "em", "b", "i", "u", "s", "ul", "ol", "li", "a", "h2", "h3", "h4"}
    | {"blockquote", "code", "pre", "hr", "table", "thead", "tbody", "tr", "th", "td"}
)
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"colspan"}, "td": {"colspan"}}
URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
MAX_TITLE = 160
MAX_BODY = 20_000
#: Most announcements the splash shows; the public bulletin page shows more.
SPLASH_LIMIT = 5
PAGE_LIMIT = 50
#: Longer bodies are shown on the splash as a plain excerpt of EXCERPT_CHARS characters
#: with a link to the bulletin page, so five announcements always fit the page budget.
SPLASH_BODY_CHARS = 1200
EXCERPT_CHARS = 280

_markdown = MarkdownIt("commonmark", {"html": True, "linkify": False}).enable("table")


class InvalidAnnouncement(DomainError):
    """A field is missing or out of range; ``field`` names it."""

    def __init__(self, field: str, message: str, *, code: str, **params: object) -> None:
        super().__init__(message, code=code, **params)
        self.field = field


@dataclass(frozen=True)
class AnnouncementInput:
    """What an admin typed; times are naive local times of the village."""

    title: str
    body_markdown: str = ""
    category: str = "pengumuman"
    starts_local: datetime | None = None
    ends_local: datetime | None = None
    pinned: bool = False
    emergency: bool = False
    published: bool = True


def sanitize_html(body_html: str, *, link_rel: str = "noopener noreferrer") -> str:
    """``body_html`` with everything outside the allow-list removed (never escaped back
    in); links get ``link_rel``."""
    return nh3.clean(
        body_html or "",
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel=link_rel,
        strip_comments=True,
    )


@lru_cache(maxsize=512)
def safe_html(body_html: str) -> str:
    """A stored body as residents get it: sanitised again by the same allow-list, links
    marked nofollow as well. Cached by content: bodies change rarely and every splash
    shows the same few."""
    return sanitize_html(body_html, link_rel="noopener noreferrer nofollow")


def is_long(body_html: str) -> bool:
    """Whether a body is too long to show in full on the splash."""
    return len(safe_html(body_html)) > SPLASH_BODY_CHARS


def excerpt(body_html: str, limit: int = EXCERPT_CHARS) -> str:
    """The body as plain text, cut at a word boundary to at most ``limit`` characters."""
    text = html.unescape(" ".join(nh3.clean(body_html or "", tags=set()).split()))
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",.;:") + "…"


def render_markdown(text: str) -> str:
    """Markdown (raw HTML allowed) as sanitised HTML for the splash and village page."""
    return sanitize_html(_markdown.render(text or ""))


def local_to_utc(moment: datetime | None, timezone: str) -> datetime | None:
    """A naive local time of a village (WIB/WITA/WIT) as the naive UTC the DB stores."""
    if moment is None:
        return None
    aware = moment.replace(tzinfo=clock.zone(timezone))
    return aware.astimezone(UTC).replace(tzinfo=None)


def utc_to_local(moment: datetime | None, timezone: str) -> datetime | None:
    """The inverse of `local_to_utc`, for filling the form again."""
    if moment is None:
        return None
    return clock.to_local(moment, timezone).replace(tzinfo=None)


def validate(values: AnnouncementInput) -> AnnouncementInput:
    """Return ``values`` stripped, or raise InvalidAnnouncement naming the field."""
    title = " ".join(values.title.split())
    if not title or len(title) > MAX_TITLE:
        raise InvalidAnnouncement(
            "title", f"a title of 1 to {MAX_TITLE} characters", code="title-length", max=MAX_TITLE
        )
    if len(values.body_markdown) > MAX_BODY:
        raise InvalidAnnouncement(
            "body", f"at most {MAX_BODY} characters", code="body-length", max=MAX_BODY
        )
    if values.category not in CATEGORIES:
        raise InvalidAnnouncement("category", "unknown category", code="category-unknown")
    if values.starts_local and values.ends_local and values.ends_local <= values.starts_local:
        raise InvalidAnnouncement(
            "ends_at", "the end must come after the start", code="end-before-start"
        )
    emergency = values.emergency or values.category == "darurat"
    return AnnouncementInput(
        title=title,
        body_markdown=values.body_markdown,
        category=values.category,
        starts_local=values.starts_local,
        ends_local=values.ends_local,
        pinned=values.pinned,
        emergency=emergency,
        published=values.published,
    )


def _apply(note: Announcement, values: AnnouncementInput, timezone: str, now: datetime) -> None:
    note.title = values.title
    note.body_markdown = values.body_markdown
    note.body_html = render_markdown(values.body_markdown)
    note.category = values.category
    note.starts_at = local_to_utc(values.starts_local, timezone)
    note.ends_at = local_to_utc(values.ends_local, timezone)
    note.pinned = values.pinned
    note.emergency = values.emergency
    note.published = values.published
    note.updated_at = now


def create_announcements(
    session: Session,
    villages: list[Village],
    values: AnnouncementInput,
    *,
    now: datetime,
    created_by_id: int | None = None,
    image_path: str | None = None,
    source_url: str | None = None,
) -> list[Announcement]:
    """One announcement per village (a regency posts to all its villages at once).

    Each village's own time zone applies to the local start and end.
    Raises InvalidAnnouncement for a bad field (nothing is added then).
    """
    values = validate(values)
    notes = []
    for village in villages:
        note = Announcement(
            village_kode=village.kode,
            created_by_id=created_by_id,
            created_at=now,
            image_path=image_path,
            source_url=source_url,
        )
        _apply(note, values, village.timezone, now)
        session.add(note)
        notes.append(note)
    session.flush()
    return notes


def update_announcement(
    note: Announcement, values: AnnouncementInput, *, timezone: str, now: datetime
) -> Announcement:
    """Replace an announcement's content. Raises InvalidAnnouncement for a bad field."""
    _apply(note, validate(values), timezone, now)
    return note


def publish(note: Announcement, now: datetime) -> Announcement:
    """Turn a draft into a published announcement."""
    note.published = True
    note.updated_at = now
    return note


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


def is_visible(note: Announcement, now: datetime) -> bool:
    """True when residents should see the announcement at ``now``."""
    return (
        note.published
        and (note.starts_at is None or note.starts_at <= now)
        and (note.ends_at is None or now < note.ends_at)
    )


def latest(session: Session, village_kode: str, limit: int = 5) -> list[Announcement]:
    """The newest announcements of a village, pinned first (for the dashboard)."""
    return list(
        session.scalars(
            sa.select(Announcement)
            .where(Announcement.village_kode == village_kode)
            .order_by(Announcement.pinned.desc(), Announcement.created_at.desc())
            .limit(limit)
        )
    )
