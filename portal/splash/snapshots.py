"""What every phone at a village sees alike, read once and kept for a few seconds.

The splash of one village is the same for every device except the quota line: its
name, terms, policy and bulletin. When a hotspot fills (a meeting at the balai desa,
a school letting out) every phone asks for it at once, so each worker keeps a frozen
copy per village for `TTL_SECONDS` and only the device's own day counters are read
per request. An announcement posted by an admin shows on the splash within that
time (the public bulletin page is read fresh, and HTTP-cached for a minute).

Snapshots are plain frozen dataclasses, never ORM objects, so they outlive the
session they were read in.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from portal.domain.content import announcements, terms
from portal.domain.network import policies
from portal.domain.network.policies import EffectivePolicy
from portal.models import Announcement, TermsVersion, Village

TTL_SECONDS = 10.0


@dataclass(frozen=True)
class VillageInfo:
    kode: str
    slug: str
    name: str
    district_name: str
    regency_name: str
    timezone: str


@dataclass(frozen=True)
class NewsItem:
    id: int
    title: str
    body_html: str
    emergency: bool
    pinned: bool
    starts_at: datetime | None
    created_at: datetime


@dataclass(frozen=True)
class TermsInfo:
    id: int
    summary: str
    full_text: str
    points: tuple[str, ...]


@dataclass(frozen=True)
class VillageSnapshot:
    """A village's shared splash content at one moment."""

    village: VillageInfo
    terms: TermsInfo | None
    announcements: tuple[NewsItem, ...]
    policy: EffectivePolicy


def village_info(village: Village) -> VillageInfo:
    return VillageInfo(
        village.kode,
        village.slug,
        village.name,
        village.district_name,
        village.regency_name,
        village.timezone,
    )


def terms_info(version: TermsVersion | None) -> TermsInfo | None:
    if version is None:
        return None
    points = tuple(terms.summary_points(version.summary))
    return TermsInfo(version.id, version.summary, version.full_text, points)


def news_item(item: Announcement) -> NewsItem:
    return NewsItem(
        item.id,
        item.title,
        item.body_html,
        item.emergency,
        item.pinned,
        item.starts_at,
        item.created_at,
    )


def take(session: Session, village: Village, now: datetime) -> VillageSnapshot:
    """Read a village's shared content (terms, bulletin, policy: three queries)."""
    return VillageSnapshot(
        village=village_info(village),
        terms=terms_info(terms.current_terms(session, village)),
        announcements=tuple(
            news_item(item) for item in announcements.current_announcements(session, village, now)
        ),
        policy=policies.effective_policy(session, village.kode),
    )


class SnapshotCache:
    """Per-process snapshots by village code, each kept ``ttl`` seconds."""

    def __init__(
        self, ttl: float = TTL_SECONDS, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl = ttl
        self.monotonic = monotonic
        self._entries: dict[str, tuple[float, VillageSnapshot]] = {}
        self._lock = threading.Lock()

    def get(self, session: Session, village_kode: str, now: datetime) -> VillageSnapshot | None:
        """The village's snapshot, read afresh when older than ``ttl``; None when the
        village does not exist."""
        moment = self.monotonic()
        entry = self._entries.get(village_kode)
        if entry is not None and moment - entry[0] < self.ttl:
            return entry[1]
        village = session.get(Village, village_kode)
        if village is None:
            return None
        snapshot = take(session, village, now)
        with self._lock:
            if len(self._entries) > 5000:  # a regency has hundreds of villages, not more
                self._entries.clear()
            self._entries[village_kode] = (moment, snapshot)
        return snapshot

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
