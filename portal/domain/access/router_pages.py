"""The residents' pages a gateway serves from its own flash: what goes into them, which
version the router should hold, and what the router's heartbeat is answered.

A gateway with ``splash_location = "router"`` keeps a set of files in its hotspot
html-directory (login.html, status.html, …, `FILES`). They are generated from the
village's content — its name, the bulletin (emergencies first), the terms' points and
full text, the click-through credential of the current terms version, the emergency
allowance of its policy — and rendered by the routers blueprint. The router's
scheduler asks every ten minutes whether its copy is current (`heartbeat_answer`); the
version is a short hash of the files' bytes (`pages_version`), so any change of
content, an emergency announcement above all, changes it and the next answer is
``fetch <version>``; with no change the answer is ``ok`` and nothing else moves.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from portal.domain.access import click_through
from portal.domain.content import announcements, terms
from portal.domain.credentials import click_through_username
from portal.domain.network import policies
from portal.models import Gateway

#: Every file the router keeps, in the order the scheduler fetches them. errors.txt is
#: the router's own message table (keys of the stock file, texts in Indonesian).
FILES = (
    "login.html",
    "flogin.html",
    "status.html",
    "alogin.html",
    "logout.html",
    "errors.txt",
    "api.json",
)
#: How long a terms full text may be to ride inside login.html; longer ones are read on
#: the portal's public terms page (walled garden), keeping the page under 30 KB.
INLINE_TERMS_CHARS = 6000
#: A version is this many hex digits of SHA-256 over the files: short to send twice an
#: hour, long enough that two contents never share one in a gateway's lifetime.
VERSION_DIGITS = 12
_VERSION = re.compile(r"[0-9a-f]{1,16}")
#: The emergency access a router grants while the central server is away: at most this
#: many minutes per device and day (less when the policy's daily time is shorter).
EMERGENCY_MINUTES = 30


@dataclass(frozen=True)
class BulletinItem:
    """One announcement as the router's page shows it (body already sanitised)."""

    id: int
    title: str
    body_html: str
    excerpt: str | None  # set when the body is too long for the page: a plain excerpt
    emergency: bool
    pinned: bool
    shown_from: datetime


@dataclass(frozen=True)
class EmergencyAllowance:
    """What the router lets each device use while the central server is away."""

    minutes: int
    rate_limit: str


@dataclass(frozen=True)
class RouterPagesContent:
    """Everything a gateway's pages show, read at one moment (plain data, no ORM)."""

    nas_identifier: str
    village_name: str
    village_slug: str
    district_name: str
    regency_name: str
    timezone: str
    bulletin: tuple[BulletinItem, ...]
    terms_version_id: int | None
    terms_points: tuple[str, ...]
    terms_full_text: str
    #: The click-through credential of the terms version the page shows (None without
    #: published terms: then the page offers the voucher box only).
    click_username: str | None
    click_password: str | None
    emergency: EmergencyAllowance
    #: The policy's daily allowance per device (None: unlimited), as the page states it.
    daily_bytes: int | None
    daily_minutes: int | None

    @property
    def terms_inline(self) -> bool:
        return len(self.terms_full_text) <= INLINE_TERMS_CHARS


def emergency_allowance(policy: policies.EffectivePolicy) -> EmergencyAllowance:
    """The emergency allowance of a village's policy: `EMERGENCY_MINUTES` a day (or the
    policy's daily time when shorter) at the policy's throttled rate."""
    minutes = EMERGENCY_MINUTES
    if policy.daily_minutes:
        minutes = min(minutes, policy.daily_minutes)
    return EmergencyAllowance(minutes, policy.throttle_rate)


def gather(
    session: Session, gateway: Gateway, *, master_key: str, now: datetime
) -> RouterPagesContent:
    """What ``gateway``'s router pages show at ``now`` (naive UTC): three queries."""
    village = gateway.village
    version = terms.current_terms(session, village)
    items = []
    for note in announcements.current_announcements(session, village, now):
        body = announcements.safe_html(note.body_html)
        long = announcements.is_long(note.body_html)
        items.append(
            BulletinItem(
                id=note.id,
                title=note.title,
                body_html="" if long else body,
                excerpt=announcements.excerpt(note.body_html) if long else None,
                emergency=note.emergency,
                pinned=note.pinned,
                shown_from=note.starts_at or note.created_at,
            )
        )
    policy = policies.effective_policy(session, village.kode)
    return RouterPagesContent(
        nas_identifier=gateway.nas_identifier,
        village_name=village.name,
        village_slug=village.slug,
        district_name=village.district_name,
        regency_name=village.regency_name,
        timezone=village.timezone,
        bulletin=tuple(items),
        terms_version_id=version.id if version else None,
        terms_points=tuple(terms.summary_points(version.summary)) if version else (),
        terms_full_text=version.full_text if version else "",
        click_username=click_through_username(version.id) if version else None,
        click_password=(
            click_through.password(master_key, gateway.id, version.id) if version else None
        ),
        emergency=emergency_allowance(policy),
        daily_bytes=policy.daily_bytes,
        daily_minutes=policy.daily_minutes or None,
    )


def pages_version(files: Mapping[str, bytes]) -> str:
    """The version of a set of files: `VERSION_DIGITS` hex digits of SHA-256 over each
    file's name, length and bytes, in name order."""
    digest = hashlib.sha256()
    for name in sorted(files):
        body = files[name]
        digest.update(f"{name}\0{len(body)}\0".encode())
        digest.update(body)
    return digest.hexdigest()[:VERSION_DIGITS]


def clean_version(text: str) -> str | None:
    """A version a router reported (``pages=``), or None when it holds none or sent
    something that is not one (then it is told to fetch)."""
    value = text.strip().lower()
    return value if _VERSION.fullmatch(value) else None


#: The heartbeat's answer when the router holds the current pages.
NOTHING_TO_DO = "ok"


def heartbeat_answer(held: str | None, current: str) -> str:
    """The heartbeat's one-line answer: `NOTHING_TO_DO` when the router holds ``current``,
    else ``fetch <current>`` (its pages changed, an emergency announcement among them)."""
    return NOTHING_TO_DO if held == current else f"fetch {current}"


def note_held(gateway: Gateway, held: str | None) -> None:
    """Remember which version the router said it holds (only flushes with the heartbeat)."""
    gateway.pages_held = held


def note_fetched(gateway: Gateway, version: str, now: datetime) -> None:
    """Remember that the gateway fetched its files of ``version`` at ``now``."""
    gateway.pages_fetched = version
    gateway.pages_fetched_at = now
