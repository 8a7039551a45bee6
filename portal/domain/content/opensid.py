"""Import the latest articles of a village's OpenSID website (its RSS feed) as drafts.

OpenSID publishes RSS 2.0 at ``<site>/index.php/feed`` (`portal.adapters.feeds.feed_url`);
``content:encoded`` holds the full HTML. Fetching it is the caller's (the console's
view hands the address to `portal.adapters.feeds.fetch_feed`); here the feed is read,
refused when it is not a plain RSS document, and its newest items become drafts.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal.domain.content import announcements
from portal.domain.errors import DomainError
from portal.models import Announcement, Village

MAX_IMPORT = 10
_CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
_CATEGORY_WORDS = (
    ("darurat", ("darurat", "bencana")),
    ("agenda", ("agenda", "kegiatan")),
    ("kesehatan", ("kesehatan", "posyandu")),
    ("umkm", ("umkm", "lapak", "produk", "bumdes")),
    ("wisata", ("wisata", "potensi")),
    ("apbdes", ("apbdes", "anggaran", "transparansi", "keuangan")),
)


class FeedError(DomainError):
    """The feed could not be fetched or read; the message says why (for the admin)."""


@dataclass(frozen=True)
class FeedItem:
    title: str
    link: str
    html: str
    published_at: datetime | None
    category: str


def _category(text: str) -> str:
    lowered = text.lower()
    for category, words in _CATEGORY_WORDS:
        if any(word in lowered for word in words):
            return category
    return "pengumuman"


def parse_feed(data: bytes) -> list[FeedItem]:
    """The items of an RSS 2.0 feed, newest first as the feed lists them.

    Raises FeedError for anything that is not a plain RSS document (a DOCTYPE is
    refused outright: entity tricks have no place in a news feed).
    """
    if b"<!DOCTYPE" in data[:2048].upper() or b"<!ENTITY" in data.upper():
        raise FeedError("the feed declares a DOCTYPE or entities", code="feed-invalid")
    try:
        root = ET.fromstring(data)  # noqa: S314 (no DTD allowed, checked above)
    except ET.ParseError as error:
        raise FeedError("the feed is not valid XML", code="feed-invalid") from error
    items = []
    for node in root.iter("item"):
        title = (node.findtext("title") or "").strip()
        link = (node.findtext("link") or node.findtext("guid") or "").strip()
        if not title or not link.startswith(("http://", "https://")):
            continue
        html = node.findtext(_CONTENT) or node.findtext("description") or ""
        try:
            published = parsedate_to_datetime(node.findtext("pubDate") or "")
            published_at = published.astimezone(UTC).replace(tzinfo=None) if published else None
        except (TypeError, ValueError):
            published_at = None
        category = _category(" ".join(c.text or "" for c in node.findall("category")))
        items.append(FeedItem(title[:160], link[:500], html, published_at, category))
    return items


def import_drafts(
    session: Session,
    village: Village,
    items: list[FeedItem],
    *,
    now: datetime,
    created_by_id: int | None = None,
    limit: int = MAX_IMPORT,
) -> list[Announcement]:
    """Add the newest ``limit`` items not imported before as unpublished drafts."""
    known = set(
        session.scalars(
            sa.select(Announcement.source_url).where(
                Announcement.village_kode == village.kode, Announcement.source_url.is_not(None)
            )
        )
    )
    drafts: list[Announcement] = []
    for item in items:
        if len(drafts) >= limit:
            break
        if item.link in known:
            continue
        body = announcements.sanitize_html(item.html)
        values = announcements.AnnouncementInput(
            title=item.title, body_markdown=body, category=item.category, published=False
        )
        drafts += announcements.create_announcements(
            session, [village], values, now=now, created_by_id=created_by_id,
            source_url=item.link,
        )  # fmt: skip
        known.add(item.link)
    return drafts
