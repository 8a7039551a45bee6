"""The daily summary per regency as text, ready to paste into a chat group.

    Kabupaten Paser · Sabtu 21/11/2026 pukul 13.00 WITA
    Hari ini: 112 desa aktif, 3 gateway mati (Busui, Legai, Keladen), 4.210 pengguna, 312 GB
    Kontrak berakhir ≤ 30 hari: Busui (busui-1, ICON+) 21/12/2026, 30 hari lagi

The third line is there only when a contract ends within 30 days or has just ended.

The figures are `portal.domain.reporting.summary.areas_today`'s, written the way the
report pages write them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from portal.domain import clock
from portal.domain.network.inventory import CONTRACT_WARNING_DAYS, ContractEnding
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
    lines = [
        heading,
        f"Hari ini: {number(area.active_villages)} desa aktif, {down},"
        f" {number(area.users)} pengguna, {amount(area.bytes_total)}",
    ]
    if area.contracts_ending:
        named = "; ".join(map(contract_phrase, area.contracts_ending[:NAMED_DOWN]))
        if len(area.contracts_ending) > NAMED_DOWN:
            named += f" dan {number(len(area.contracts_ending) - NAMED_DOWN)} lainnya"
        lines.append(f"Kontrak berakhir ≤ {CONTRACT_WARNING_DAYS} hari: {named}")
    return "\n".join(lines)


def contract_phrase(contract: ContractEnding) -> str:
    """The phrase for one contract: "Busui (busui-1, ICON+) 21/12/2026, 30 hari lagi"."""
    who = ", ".join(filter(None, (contract.nas_identifier, contract.provider)))
    end = contract.contract_end
    if contract.days_left > 0:
        when = f"{number(contract.days_left)} hari lagi"
    elif contract.days_left == 0:
        when = "berakhir hari ini"
    else:
        when = f"sudah berakhir {number(-contract.days_left)} hari lalu"
    return f"{contract.village_name} ({who}) {end.day:02d}/{end.month:02d}/{end.year}, {when}"
