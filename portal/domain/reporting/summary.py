"""The day so far per regency, in the figures the daily summary states.

Figures are exact (this is for Diskominfo staff, not open data) and come from the
overview (`portal.domain.reporting.status`), so they are the ones its pages show.
"Users" are distinct devices of the day per village, added up over the villages. The
text to paste into a chat group is made of these in `portal.web.summary`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from portal.domain import clock
from portal.domain.network.inventory import ContractEnding, contracts_ending
from portal.domain.network.regions import default_timezone
from portal.domain.reporting import status


@dataclass(frozen=True)
class AreaDay:
    """One area's day so far: villages active, gateways down (and their villages, each
    named once), users and data, and the contracts ending soon
    (`portal.domain.network.inventory.contracts_ending`)."""

    kode: str
    name: str
    timezone: str
    active_villages: int
    gateways_down: int
    down_villages: tuple[str, ...]
    users: int
    bytes_total: int
    contracts_ending: tuple[ContractEnding, ...] = ()


def areas_today(session: Session, scope: str, now: datetime) -> list[AreaDay]:
    """One entry per regency inside ``scope`` (or one for ``scope`` when it is narrower)."""
    overview = status.overview(session, scope, now)
    down = status.gateways_down(session, scope, now)
    width = 5 if len(scope) <= 5 else len(scope)
    areas: dict[str, list[status.VillageStatus]] = {}
    for village in overview.villages:
        areas.setdefault(village.kode[:width], []).append(village)
    result = []
    for kode, villages in sorted(areas.items()):
        here = [gateway for gateway in down if gateway.village_kode.startswith(kode)]
        first = villages[0]
        zone = default_timezone(kode)
        ending = contracts_ending(session, area_kode=kode, today=clock.local_day(now, zone))
        result.append(
            AreaDay(
                kode=kode,
                name={5: first.regency_name, 8: first.district_name}.get(width, first.name),
                timezone=zone,
                active_villages=sum(1 for village in villages if village.users_today > 0),
                gateways_down=len(here),
                # Two routers of one village down name the village once.
                down_villages=tuple(dict.fromkeys(gateway.village_name for gateway in here)),
                users=sum(village.users_today for village in villages),
                bytes_total=sum(village.bytes_today for village in villages),
                contracts_ending=tuple(ending),
            )
        )
    return result
