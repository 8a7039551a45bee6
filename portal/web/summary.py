"""The daily summary per regency as text, ready to paste into a chat group.

    Kabupaten Paser · Sabtu 21/11/2026 pukul 13.00 WITA
    Hari ini: 112 desa aktif, 3 gateway mati (Busui, Legai, Keladen), 4.210 pengguna, 312 GB

The figures are `portal.domain.reporting.summary.areas_today`'s, written the way the
report pages write them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from portal.domain import clock
from portal.domain.reporting.summary import AreaDay, areas_today
from portal.web.formatting import WEEKDAYS, amount, clock_time, number

#: How many villages with a gateway down are named before "dan N lainnya".
NAMED_DOWN = 5


@dataclass(frozen=True)
class Summary:
    kode: str
    name: str
    text: str


def daily_summaries(session: Session, scope: str, now: datetime) -> list[Summary]:
    """One summary per regency inside ``scope`` (or one for ``scope`` when narrower)."""
    return [
        Summary(area.kode, area.name, text(area, now)) for area in areas_today(session, scope, now)
    ]


def text(area: AreaDay, now: datetime) -> str:
    """The two lines of one area's summary at ``now`` (naive UTC)."""
    local = clock.to_local(now, area.timezone)
    heading = (
        f"{area.name} · {WEEKDAYS[local.weekday()]}"
        f" {local.day:02d}/{local.month:02d}/{local.year} pukul {clock_time(local)} {area.timezone}"
    )
    shown = ", ".join(area.down_villages[:NAMED_DOWN])
    if len(area.down_villages) > NAMED_DOWN:
        shown += f" dan {number(len(area.down_villages) - NAMED_DOWN)} lainnya"
    down = f"{number(area.gateways_down)} gateway mati" + (f" ({shown})" if shown else "")
    return (
        f"{heading}\n"
        f"Hari ini: {number(area.active_villages)} desa aktif, {down},"
        f" {number(area.users)} pengguna, {amount(area.bytes_total)}"
    )
