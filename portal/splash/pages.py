"""What the resident pages show, gathered from the domain in a few queries (no Flask).

The village-wide part comes from a `snapshots.VillageSnapshot`; only the device's own
quota is read per request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from portal.domain.access import hotspot
from portal.domain.network import policies
from portal.domain.usage import quotas
from portal.models import DeviceDay, Gateway, TermsVersion, Village, Voucher
from portal.splash import snapshots
from portal.splash.snapshots import NewsItem, TermsInfo, VillageInfo, VillageSnapshot


@dataclass(frozen=True)
class Allowance:
    """Today's quota of one device, in numbers ready to show (None = unlimited)."""

    bytes_left: int | None
    bytes_total: int | None
    seconds_left: int | None
    seconds_total: int | None
    resets_at: datetime
    exhausted: bool
    #: "reject" or "throttle": what happens once it is spent.
    on_exhausted: str
    throttle_rate: str


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


def village_by_key(session: Session, key: str) -> Village | None:
    """A village by its kode (dotted or 10 digits) or its slug."""
    compact = key.replace(".", "")
    if compact.isdigit() and len(compact) == 10:
        kode = f"{compact[:2]}.{compact[2:4]}.{compact[4:6]}.{compact[6:]}"
        return session.get(Village, kode)
    return session.scalar(sa.select(Village).where(Village.slug == key.lower()))


def allowance_for(
    session: Session,
    *,
    policy: policies.EffectivePolicy,
    village: VillageInfo,
    device: str,
    day: date,
    now: datetime,
) -> Allowance:
    """Today's quota for ``device`` at ``village`` from its day counters and ``policy``."""
    usage = session.get(DeviceDay, (village.kode, day, device))
    voucher = session.get(Voucher, usage.voucher_id) if usage and usage.voucher_id else None
    limits = quotas.limits_for(policy, voucher)
    state = quotas.remaining(
        limits,
        used_bytes=usage.bytes_total if usage else 0,
        used_seconds=usage.seconds_total if usage else 0,
        voucher=voucher,
        now=now,
        timezone=village.timezone,
    )
    return Allowance(
        bytes_left=state.bytes_left,
        bytes_total=limits.total_bytes or limits.daily_bytes,
        seconds_left=state.seconds_left,
        seconds_total=limits.total_seconds or limits.daily_seconds,
        resets_at=state.resets_at,
        exhausted=state.exhausted,
        on_exhausted=policy.on_exhausted,
        throttle_rate=policy.throttle_rate,
    )


def device_page(
    session: Session,
    *,
    snapshot: VillageSnapshot,
    device: str,
    day: date,
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
    allowance = allowance_for(
        session, policy=snapshot.policy, village=snapshot.village, device=device, day=day, now=now
    )
    problem = hotspot.classify_error(error)
    if allowance.exhausted and allowance.on_exhausted == "reject":
        problem = "quota"
    return DevicePage(
        village=snapshot.village,
        announcements=snapshot.announcements,
        terms=version,
        allowance=allowance,
        problem=problem,
    )
