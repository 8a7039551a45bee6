"""What the resident pages show, gathered from the domain in a few queries (no Flask).

The village-wide part comes from a `snapshots.VillageSnapshot`; only the device's own
quota is read per request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from portal.domain.access import hotspot
from portal.domain.usage.allowance import Allowance, allowance
from portal.models import Gateway, TermsVersion, Village
from portal.splash import snapshots
from portal.splash.snapshots import NewsItem, TermsInfo, VillageInfo, VillageSnapshot


@dataclass(frozen=True)
class DevicePage:
    """Everything the splash and status pages show for one device at one village."""

    village: VillageInfo
    announcements: tuple[NewsItem, ...]
    terms: TermsInfo | None
    allowance: Allowance
    #: The kind of the router's error (see `hotspot.classify_error`), or None.
    problem: str | None

    @property
    def points(self) -> tuple[str, ...]:
        return self.terms.points if self.terms else ()


def gateway_by_identity(session: Session, identity: str) -> Gateway | None:
    """The gateway whose NAS-Identifier is ``identity``, with its village loaded."""
    return session.scalar(
        sa.select(Gateway)
        .options(joinedload(Gateway.village))
        .where(Gateway.nas_identifier == identity)
    )


def gateway_by_id(session: Session, gateway_id: int) -> Gateway | None:
    """The gateway with its village loaded, or None."""
    return session.get(Gateway, gateway_id, options=[joinedload(Gateway.village)])


def bulletins_by_regency(session: Session) -> list[tuple[str, list[Village]]]:
    """Every village set up here, grouped by regency (in code order), by name within."""
    grouped: dict[str, list[Village]] = {}
    for village in session.scalars(sa.select(Village).order_by(Village.kode)):
        grouped.setdefault(village.regency_name, []).append(village)
    return [(name, sorted(found, key=lambda v: v.name)) for name, found in grouped.items()]


def village_by_key(session: Session, key: str) -> Village | None:
    """A village by its kode (dotted or 10 digits) or its slug."""
    compact = key.replace(".", "")
    if compact.isdigit() and len(compact) == 10:
        kode = f"{compact[:2]}.{compact[2:4]}.{compact[4:6]}.{compact[6:]}"
        return session.get(Village, kode)
    return session.scalar(sa.select(Village).where(Village.slug == key.lower()))


def device_page(
    session: Session,
    *,
    snapshot: VillageSnapshot,
    device: str,
    now: datetime,
    error: str = "",
    terms_version_id: int | None = None,
) -> DevicePage:
    """The splash/status content for a device: the village's shared snapshot plus the
    device's own quota (one query). ``terms_version_id`` pins the version a ticket was
    issued with, read separately in the rare case the terms changed since."""
    version = snapshot.terms
    if terms_version_id is not None and (version is None or version.id != terms_version_id):
        version = snapshots.terms_info(session.get(TermsVersion, terms_version_id))
    village = snapshot.village
    left = allowance(
        session,
        village_kode=village.kode,
        timezone=village.timezone,
        device=device,
        now=now,
        policy=snapshot.policy,
    )
    problem = "quota" if left.refused else hotspot.classify_error(error)
    return DevicePage(
        village=snapshot.village,
        announcements=snapshot.announcements,
        terms=version,
        allowance=left,
        problem=problem,
    )
