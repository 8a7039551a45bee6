"""What the resident pages show, gathered from the domain in a few queries (no Flask)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from portal.domain import bulletin, hotspot, policies, quotas, terms
from portal.models import Announcement, DeviceDay, Gateway, TermsVersion, Village, Voucher


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

    village: Village
    announcements: list[Announcement]
    terms: TermsVersion | None
    points: list[str]
    allowance: Allowance
    #: The kind of the router's error (see `hotspot.classify_error`), or None.
    problem: str | None


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
    session: Session, *, village: Village, device: str, day: date, now: datetime
) -> Allowance:
    """Today's quota for ``device`` at ``village`` from its day counters and policy."""
    policy = policies.effective_policy(session, village.kode)
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
    village: Village,
    device: str,
    day: date,
    now: datetime,
    error: str = "",
    terms_version_id: int | None = None,
) -> DevicePage:
    """The splash/status content for a device; ``terms_version_id`` pins the version
    a ticket was issued with (else the village's current terms are used)."""
    if terms_version_id is not None:
        version = session.get(TermsVersion, terms_version_id)
    else:
        version = terms.current_terms(session, village)
    allowance = allowance_for(session, village=village, device=device, day=day, now=now)
    problem = hotspot.classify_error(error)
    if allowance.exhausted and allowance.on_exhausted == "reject":
        problem = "quota"
    return DevicePage(
        village=village,
        announcements=bulletin.current_announcements(session, village, now),
        terms=version,
        points=terms.summary_points(version) if version else [],
        allowance=allowance,
        problem=problem,
    )
