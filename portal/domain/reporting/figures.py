"""The figures of the reports, each from one query: users, data, online now, gateway state.

Every page that shows one of these (the console's dashboard, the report overview, the
daily summary) reads it here, and the API's usage rows come from the same rollups, so
the numbers agree wherever they appear:

* **users** of a day are the village's distinct devices of its local day that were
  online: RADIUS let them on and accounting recorded a session (``UsageDaily.devices``,
  kept by the RADIUS server at each device's first session of the day; an accept on the
  splash alone counts nothing); 7 and 30 days are sums of days (device-days, never
  people: pseudonyms change daily);
* **data** is bytes down plus up (``UsageDaily``);
* **online now** is distinct devices with an open accounting session;
* a **gateway's state** is "up" when it was heard from (heartbeat, or any RADIUS packet)
  within `DOWN_AFTER`, "down" when it was heard from before, "never" when it never was;
* **uptime** is the share of the last 24 hours' 5-minute buckets in which a gateway was
  heard from (a heartbeat also marks the buckets since a contact within `DOWN_AFTER`:
  `portal.domain.network.liveness.heard_buckets`), counted from when it was added if
  that is later (a router that has just been set up and answers is not 0 % up); a
  bucket inside an outage the router reported (it could not reach the central RADIUS
  server, `outages`) does not count as up even when its heartbeats arrived;
* **outages** are the periods routers reported after reaching the central server again,
  with the emergency use (logins, seconds, bytes: counts only) they allowed meanwhile.

Functions take the session, a region ``scope`` (a province, regency, district or village
code) and ``now`` (naive UTC); "today" is each village's own local day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal.domain import clock
from portal.domain.network.liveness import DOWN_AFTER, UPTIME_BUCKET, uptime_bucket
from portal.domain.reporting.reports import in_scope
from portal.models import (
    AccountingSession,
    Gateway,
    GatewayOutage,
    GatewayUptime,
    UsageDaily,
    Village,
)

UPTIME_WINDOW = timedelta(hours=24)
#: The states of a gateway, and of a village by its gateways.
UP, DOWN, NEVER, NO_GATEWAY = "up", "down", "never", "no-gateway"


@dataclass(frozen=True, slots=True)
class GatewayState:
    """One gateway now: ``state`` is "up", "down" or "never"; ``uptime_pct`` of the last
    24 hours (or since it was added)."""

    id: int
    nas_identifier: str
    village_kode: str
    village_name: str
    district_name: str
    timezone: str
    last_heard: datetime | None
    state: str
    uptime_pct: float

    @property
    def up(self) -> bool:
        return self.state == UP


@dataclass(frozen=True, slots=True)
class Usage:
    """A village's users and data today, over 7 and over 30 local days ending today."""

    users_today: int = 0
    users_7d: int = 0
    users_30d: int = 0
    bytes_today: int = 0
    bytes_30d: int = 0


def gateway_state(last_heard: datetime | None, now: datetime) -> str:
    """ "up", "down" or "never": the one rule of a gateway's state."""
    if last_heard is None:
        return NEVER
    return UP if now - last_heard <= DOWN_AFTER else DOWN


def village_state(states: list[GatewayState]) -> str:
    """A village's state by its gateways: "no-gateway", "up" when every gateway is up,
    "never" when none was ever heard from, else "down" (some gateway is not up)."""
    if not states:
        return NO_GATEWAY
    if all(s.state == UP for s in states):
        return UP
    if all(s.state == NEVER for s in states):
        return NEVER
    return DOWN


def gateway_states(session: Session, scope: str, now: datetime) -> list[GatewayState]:
    """Every gateway inside ``scope`` with its state and uptime, by village then name."""
    current = uptime_bucket(now)
    first = current - UPTIME_WINDOW + UPTIME_BUCKET
    in_outage = (
        sa.exists()
        .where(
            GatewayOutage.gateway_id == GatewayUptime.gateway_id,
            GatewayOutage.started_at <= GatewayUptime.bucket_start,
            GatewayOutage.ended_at > GatewayUptime.bucket_start,
        )
        .correlate(GatewayUptime)
    )
    rows = session.execute(
        sa.select(
            Gateway.id,
            Gateway.nas_identifier,
            Village.kode,
            Village.name,
            Village.district_name,
            Village.timezone,
            Gateway.last_seen_at,
            Gateway.created_at,
            sa.func.count(GatewayUptime.bucket_start),
        )
        .join(Village, Village.kode == Gateway.village_kode)
        .outerjoin(
            GatewayUptime,
            sa.and_(
                GatewayUptime.gateway_id == Gateway.id,
                GatewayUptime.bucket_start >= first,
                GatewayUptime.bucket_start <= current,
                ~in_outage,
            ),
        )
        .where(in_scope(Gateway.village_kode, scope))
        .group_by(Gateway.id, Village.kode)
        .order_by(Village.kode, Gateway.nas_identifier)
    )
    states = []
    for gid, nas, kode, name, district, zone, seen, created, heard in rows:
        start = max(first, uptime_bucket(min(created, now)))
        possible = (current - start) // UPTIME_BUCKET + 1
        uptime = min(100.0, 100.0 * heard / possible)
        state = gateway_state(seen, now)
        states.append(GatewayState(gid, nas, kode, name, district, zone, seen, state, uptime))
    return states


def village_uptime(states: list[GatewayState]) -> float | None:
    """A village's uptime: its gateways' average (None without gateways)."""
    return sum(s.uptime_pct for s in states) / len(states) if states else None


def usage(session: Session, scope: str, now: datetime) -> dict[str, Usage]:
    """Users and data of every village inside ``scope`` that has any in the last 30 days."""
    today = {label: clock.local_day(now, label) for label in clock.TIMEZONES}
    zone = Village.timezone

    def since(days: int) -> sa.ColumnElement:
        starts = {label: day - timedelta(days=days - 1) for label, day in today.items()}
        return sa.case(starts, value=zone)

    def window_sum(days: int, column: sa.ColumnElement) -> sa.ColumnElement:
        return sa.func.sum(sa.case((UsageDaily.local_date >= since(days), column), else_=0))

    octets = UsageDaily.bytes_down + UsageDaily.bytes_up
    rows = session.execute(
        sa.select(
            UsageDaily.village_kode,
            window_sum(1, UsageDaily.devices),
            window_sum(7, UsageDaily.devices),
            window_sum(30, UsageDaily.devices),
            window_sum(1, octets),
            window_sum(30, octets),
        )
        .join(Village, Village.kode == UsageDaily.village_kode)
        .where(
            in_scope(UsageDaily.village_kode, scope),
            UsageDaily.local_date >= min(today.values()) - timedelta(days=29),
            UsageDaily.local_date <= sa.case(today, value=zone),
        )
        .group_by(UsageDaily.village_kode)
    )
    return {kode: Usage(*(int(value) for value in values)) for kode, *values in rows}


def online_now(session: Session, scope: str) -> dict[str, int]:
    """Distinct devices with an open session, per village inside ``scope``."""
    table = AccountingSession
    return dict(
        session.execute(
            sa.select(table.village_kode, sa.func.count(sa.distinct(table.device)))
            .where(in_scope(table.village_kode, scope), table.stopped_at.is_(None))
            .group_by(table.village_kode)
        ).all()
    )


@dataclass(frozen=True)
class Outage:
    """One recorded outage of a gateway, for the reports."""

    nas_identifier: str
    village_kode: str
    village_name: str
    timezone: str
    started_at: datetime
    ended_at: datetime
    logins: int
    seconds: int
    bytes_: int

    @property
    def minutes(self) -> int:
        return int((self.ended_at - self.started_at).total_seconds() // 60)


@dataclass(frozen=True)
class EmergencyUse:
    """A village's emergency use over a range of days (sums of its outages)."""

    outages: int = 0
    logins: int = 0
    seconds: int = 0
    bytes_: int = 0


def outages(session: Session, scope: str, start: datetime, end: datetime) -> list[Outage]:
    """The outages of gateways inside ``scope`` that overlap ``start``…``end`` (naive
    UTC), newest first."""
    rows = session.execute(
        sa.select(
            Gateway.nas_identifier,
            Village.kode,
            Village.name,
            Village.timezone,
            GatewayOutage.started_at,
            GatewayOutage.ended_at,
            GatewayOutage.emergency_logins,
            GatewayOutage.emergency_seconds,
            GatewayOutage.emergency_bytes,
        )
        .join(Gateway, Gateway.id == GatewayOutage.gateway_id)
        .join(Village, Village.kode == GatewayOutage.village_kode)
        .where(
            in_scope(GatewayOutage.village_kode, scope),
            GatewayOutage.ended_at >= start,
            GatewayOutage.started_at <= end,
        )
        .order_by(GatewayOutage.ended_at.desc(), GatewayOutage.id.desc())
    )
    return [Outage(*row) for row in rows]


def emergency_use(session: Session, village_kode: str, start: date, end: date) -> EmergencyUse:
    """A village's emergency use on local days ``start``…``end`` (outages counted on
    the day they started)."""
    row = session.execute(
        sa.select(
            sa.func.count(GatewayOutage.id),
            sa.func.coalesce(sa.func.sum(GatewayOutage.emergency_logins), 0),
            sa.func.coalesce(sa.func.sum(GatewayOutage.emergency_seconds), 0),
            sa.func.coalesce(sa.func.sum(GatewayOutage.emergency_bytes), 0),
        ).where(
            GatewayOutage.village_kode == village_kode,
            GatewayOutage.local_date.between(start, end),
        )
    ).one()
    return EmergencyUse(*(int(value) for value in row))
