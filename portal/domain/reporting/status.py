"""Village status for the report pages: the overview with area totals, uptime, gateways down.

Aggregate SQL over UsageDaily (kept current by the RADIUS server as accounting arrives),
Gateway.last_seen_at and the 5-minute GatewayUptime buckets. Functions take the session,
a region ``scope`` and ``now`` (naive UTC); "today" is each village's own local day.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal.domain import clock
from portal.domain.network.gateways import UPTIME_BUCKET, uptime_bucket
from portal.domain.reporting.reports import in_scope
from portal.models import Gateway, GatewayUptime, UsageDaily, Village

#: A gateway not heard from for this long counts as down.
DOWN_AFTER = timedelta(minutes=15)
BUCKETS_PER_DAY = 288


@dataclass(slots=True)
class VillageStatus:
    """One line of the overview. ``status`` is "up", "down", "never" or "no-gateway"."""

    kode: str
    name: str
    district_name: str
    regency_name: str
    timezone: str
    gateways: int
    last_seen_at: datetime | None
    status: str
    users_today: int = 0
    users_7d: int = 0
    users_30d: int = 0
    bytes_today: int = 0
    bytes_30d: int = 0
    uptime_pct: float | None = None

    @property
    def district_kode(self) -> str:
        return self.kode[:8]

    @property
    def regency_kode(self) -> str:
        return self.kode[:5]


@dataclass(slots=True)
class AreaTotal:
    """Totals of a district (kecamatan) or regency over its villages in the overview."""

    kode: str
    name: str
    villages: int = 0
    active_today: int = 0
    gateways_down: int = 0
    users_today: int = 0
    users_7d: int = 0
    users_30d: int = 0
    bytes_30d: int = 0


@dataclass(slots=True)
class Overview:
    villages: list[VillageStatus]
    districts: list[AreaTotal] = field(default_factory=list)
    regencies: list[AreaTotal] = field(default_factory=list)


def _per_zone(values: dict[str, object], column: sa.ColumnElement[str]) -> sa.ColumnElement:
    """A CASE choosing a per-time-zone constant by the village's zone."""
    return sa.case(values, value=column)


def overview(session: Session, scope: str, now: datetime) -> Overview:
    """The status and usage of every village in ``scope``, with district and regency totals.

    "Today" is each village's own local day; 7 and 30 days end with today. Uptime is the
    share of the last 24 hours' 5-minute buckets in which its gateways were heard from.
    """
    gateway_rows = session.execute(
        sa.select(
            Village.kode,
            Village.name,
            Village.district_name,
            Village.regency_name,
            Village.timezone,
            sa.func.count(Gateway.id),
            sa.func.max(Gateway.last_seen_at),
        )
        .outerjoin(Gateway, Gateway.village_kode == Village.kode)
        .where(in_scope(Village.kode, scope))
        .group_by(
            Village.kode,
            Village.name,
            Village.district_name,
            Village.regency_name,
            Village.timezone,
        )
        .order_by(Village.kode)
    )
    villages = {
        row[0]: VillageStatus(*row, status=_status(row[5], row[6], now)) for row in gateway_rows
    }
    today = {label: clock.local_day(now, label) for label in clock.TIMEZONES}
    zone = Village.timezone

    def since(days: int) -> sa.ColumnElement:
        return _per_zone({k: d - timedelta(days=days - 1) for k, d in today.items()}, zone)

    def window_sum(days: int, column: sa.ColumnElement) -> sa.ColumnElement:
        return sa.func.sum(sa.case((UsageDaily.local_date >= since(days), column), else_=0))

    usage_rows = session.execute(
        sa.select(
            UsageDaily.village_kode,
            window_sum(1, UsageDaily.devices),
            window_sum(7, UsageDaily.devices),
            window_sum(30, UsageDaily.devices),
            window_sum(1, UsageDaily.bytes_down + UsageDaily.bytes_up),
            window_sum(30, UsageDaily.bytes_down + UsageDaily.bytes_up),
        )
        .join(Village, Village.kode == UsageDaily.village_kode)
        .where(
            in_scope(UsageDaily.village_kode, scope),
            UsageDaily.local_date >= min(today.values()) - timedelta(days=29),
            UsageDaily.local_date <= _per_zone(today, zone),
        )
        .group_by(UsageDaily.village_kode)
    )
    for kode, today_n, week, month, octets_today, octets in usage_rows:
        status = villages[kode]
        status.users_today, status.users_7d = int(today_n), int(week)
        status.users_30d, status.bytes_today, status.bytes_30d = (
            int(month),
            int(octets_today),
            int(octets),
        )
    for kode, uptime in uptime_by_village(session, scope, now).items():
        villages[kode].uptime_pct = uptime
    result = Overview(list(villages.values()))
    result.districts = _totals(result.villages, 8, lambda v: v.district_name)
    result.regencies = _totals(result.villages, 5, lambda v: v.regency_name)
    return result


def _status(gateways: int, last_seen: datetime | None, now: datetime) -> str:
    if not gateways:
        return "no-gateway"
    if last_seen is None:
        return "never"
    return "up" if now - last_seen <= DOWN_AFTER else "down"


def _totals(
    villages: list[VillageStatus], width: int, name_of: Callable[[VillageStatus], str]
) -> list[AreaTotal]:
    areas: dict[str, AreaTotal] = {}
    for village in villages:
        area = areas.setdefault(
            village.kode[:width], AreaTotal(village.kode[:width], name_of(village))
        )
        area.villages += 1
        area.active_today += village.users_today > 0
        area.gateways_down += village.status in ("down", "never")
        area.users_today += village.users_today
        area.users_7d += village.users_7d
        area.users_30d += village.users_30d
        area.bytes_30d += village.bytes_30d
    return sorted(areas.values(), key=lambda area: area.kode)


def uptime_by_village(session: Session, scope: str, now: datetime) -> dict[str, float]:
    """Percent of the last 24 hours' 5-minute buckets heard from, per village with gateways.

    A village with two gateways needs both heard in a bucket for that bucket to count fully.
    """
    current = uptime_bucket(now)
    first = current - UPTIME_BUCKET * (BUCKETS_PER_DAY - 1)
    rows = session.execute(
        sa.select(
            Gateway.village_kode,
            sa.func.count(sa.distinct(Gateway.id)),
            sa.func.count(GatewayUptime.bucket_start),
        )
        .outerjoin(
            GatewayUptime,
            sa.and_(
                GatewayUptime.gateway_id == Gateway.id,
                GatewayUptime.bucket_start >= first,
                GatewayUptime.bucket_start <= current,
            ),
        )
        .where(in_scope(Gateway.village_kode, scope))
        .group_by(Gateway.village_kode)
    )
    return {
        kode: min(100.0, 100.0 * heard / (gateways * BUCKETS_PER_DAY))
        for kode, gateways, heard in rows
    }


@dataclass(frozen=True, slots=True)
class DownGateway:
    """A gateway not heard from within `DOWN_AFTER`; ``since`` is None when never heard."""

    nas_identifier: str
    village_kode: str
    village_name: str
    district_name: str
    timezone: str
    since: datetime | None


def gateways_down(session: Session, scope: str, now: datetime) -> list[DownGateway]:
    """Gateways inside ``scope`` that are down, longest-down first (never-seen ones first)."""
    cutoff = now - DOWN_AFTER
    rows = session.execute(
        sa.select(
            Gateway.nas_identifier,
            Village.kode,
            Village.name,
            Village.district_name,
            Village.timezone,
            Gateway.last_seen_at,
        )
        .join(Village, Village.kode == Gateway.village_kode)
        .where(
            in_scope(Gateway.village_kode, scope),
            sa.or_(Gateway.last_seen_at.is_(None), Gateway.last_seen_at < cutoff),
        )
        .order_by(Gateway.last_seen_at.is_not(None), Gateway.last_seen_at, Village.kode)
    )
    return [DownGateway(*row) for row in rows]
