"""Villages at a glance: state, users, data and uptime, with district and regency totals.

The report overview, the console's dashboard and the daily summary all read this; its
figures come from `portal.domain.reporting.figures`, one query each, so a village's
"users today" is the same number on every page. Functions take the session, a region
``scope`` and ``now`` (naive UTC); "today" is each village's own local day.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal.domain.reporting import figures
from portal.domain.reporting.figures import DOWN, NEVER, NO_GATEWAY, UP, GatewayState
from portal.domain.reporting.reports import in_scope
from portal.models import Village

__all__ = ["DOWN", "NEVER", "NO_GATEWAY", "UP", "AreaTotal", "Overview", "VillageStatus"]


@dataclass(slots=True)
class VillageStatus:
    """One village now. ``state`` is "up", "down", "never" or "no-gateway" (see
    `figures.village_state`); ``gateways_up`` of ``gateways`` are heard from."""

    kode: str
    name: str
    district_name: str
    regency_name: str
    timezone: str
    state: str = NO_GATEWAY
    gateways: int = 0
    gateways_up: int = 0
    last_heard: datetime | None = None
    users_today: int = 0
    users_7d: int = 0
    users_30d: int = 0
    bytes_today: int = 0
    bytes_30d: int = 0
    online_now: int = 0
    uptime_pct: float | None = None

    @property
    def district_kode(self) -> str:
        return self.kode[:8]

    @property
    def regency_kode(self) -> str:
        return self.kode[:5]

    @property
    def attention(self) -> list[str]:
        """Why the village needs a look: "no-gateway" or "gateway-down" (or nothing)."""
        if self.state == NO_GATEWAY:
            return ["no-gateway"]
        return ["gateway-down"] if self.gateways_up < self.gateways else []

    @property
    def needs_attention(self) -> bool:
        return bool(self.attention)


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
    gateways: list[GatewayState] = field(default_factory=list)

    def attention_counts(self) -> dict[str, int]:
        """How many villages need a look, per reason."""
        counts: dict[str, int] = {}
        for village in self.villages:
            for reason in village.attention:
                counts[reason] = counts.get(reason, 0) + 1
        return counts


def overview(session: Session, scope: str, now: datetime) -> Overview:
    """Every village in ``scope`` with its state and figures, district and regency totals."""
    rows = session.execute(
        sa.select(
            Village.kode,
            Village.name,
            Village.district_name,
            Village.regency_name,
            Village.timezone,
        )
        .where(in_scope(Village.kode, scope))
        .order_by(Village.kode)
    )
    villages = {row[0]: VillageStatus(*row) for row in rows}
    gateways = figures.gateway_states(session, scope, now)
    by_village: dict[str, list[GatewayState]] = {}
    for state in gateways:
        by_village.setdefault(state.village_kode, []).append(state)
    for kode, states in by_village.items():
        village = villages[kode]
        village.state = figures.village_state(states)
        village.gateways = len(states)
        village.gateways_up = sum(s.up for s in states)
        heard = [s.last_heard for s in states if s.last_heard is not None]
        village.last_heard = max(heard) if heard else None
        village.uptime_pct = figures.village_uptime(states)
    for kode, used in figures.usage(session, scope, now).items():
        village = villages[kode]
        village.users_today, village.users_7d, village.users_30d = (
            used.users_today,
            used.users_7d,
            used.users_30d,
        )
        village.bytes_today, village.bytes_30d = used.bytes_today, used.bytes_30d
    for kode, count in figures.online_now(session, scope).items():
        villages[kode].online_now = count
    result = Overview(list(villages.values()), gateways=gateways)
    result.districts = _totals(result.villages, 8, lambda v: v.district_name)
    result.regencies = _totals(result.villages, 5, lambda v: v.regency_name)
    return result


def needing_attention_first(statuses: list[VillageStatus]) -> list[VillageStatus]:
    """The villages that need a look first, then by name (the console's order)."""
    return sorted(statuses, key=lambda s: (not s.needs_attention, s.name))


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
        area.gateways_down += village.gateways - village.gateways_up
        area.users_today += village.users_today
        area.users_7d += village.users_7d
        area.users_30d += village.users_30d
        area.bytes_30d += village.bytes_30d
    return sorted(areas.values(), key=lambda area: area.kode)


def gateways_down(session: Session, scope: str, now: datetime) -> list[GatewayState]:
    """Gateways inside ``scope`` that are not up, longest-down first (never-heard first)."""
    down = [s for s in figures.gateway_states(session, scope, now) if not s.up]
    return sorted(
        down,
        key=lambda s: (s.last_heard is not None, s.last_heard or now, s.village_kode),
    )
