"""What the console's first page shows: one village in detail, or many at a glance.

Figures for "today" are the village's local day and come from the accounting
sessions of that day (kept for 90 days); "online now" counts distinct device
pseudonyms with an open session. Every query is grouped, so a province of 841
villages costs a handful of statements, not one per village.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal.domain import clock
from portal.models import AccountingSession, Gateway, Village


@dataclass
class VillageStatus:
    """One village's state now; ``attention`` lists the reasons it needs a look."""

    village: Village
    gateways: int = 0
    gateways_up: int = 0
    last_heard: datetime | None = None
    online_now: int = 0
    users_today: int = 0
    bytes_today: int = 0
    attention: list[str] = field(default_factory=list)

    @property
    def needs_attention(self) -> bool:
        return bool(self.attention)


def village_statuses(
    session: Session, villages: list[Village], now: datetime
) -> list[VillageStatus]:
    """Statuses of ``villages``: those needing attention first, then by name."""
    rows = {v.kode: VillageStatus(v) for v in villages}
    if not rows:
        return []
    kodes = list(rows)
    _add_gateways(session, rows, kodes, now)
    table = AccountingSession
    online = session.execute(
        sa.select(table.village_kode, sa.func.count(sa.distinct(table.device)))
        .where(table.village_kode.in_(kodes), table.stopped_at.is_(None))
        .group_by(table.village_kode)
    )
    for kode, count in online:
        rows[kode].online_now = count
    days = {v.kode: clock.local_day(now, v.timezone) for v in villages}
    _add_today(session, rows, days)
    for status in rows.values():
        if status.gateways == 0:
            status.attention.append("no-gateway")
        elif status.gateways_up < status.gateways:
            status.attention.append("gateway-down")
    return sorted(rows.values(), key=lambda s: (not s.needs_attention, s.village.name))


def _add_gateways(
    session: Session, rows: dict[str, VillageStatus], kodes: list[str], now: datetime
) -> None:
    last_accounting = dict(
        session.execute(
            sa.select(AccountingSession.gateway_id, sa.func.max(AccountingSession.updated_at))
            .where(AccountingSession.village_kode.in_(kodes))
            .group_by(AccountingSession.gateway_id)
        ).all()
    )
    gateways = session.execute(
        sa.select(Gateway.id, Gateway.village_kode, Gateway.last_seen_at).where(
            Gateway.village_kode.in_(kodes)
        )
    )
    for gateway_id, kode, seen in gateways:
        heard = [m for m in (seen, last_accounting.get(gateway_id)) if m is not None]
        last = max(heard) if heard else None
        status = rows[kode]
        status.gateways += 1
        status.gateways_up += is_up(last, now)
        if last is not None and (status.last_heard is None or last > status.last_heard):
            status.last_heard = last


def _add_today(session: Session, rows: dict[str, VillageStatus], days: dict[str, date]) -> None:
    table = AccountingSession
    result = session.execute(
        sa.select(
            table.village_kode,
            table.local_date,
            sa.func.count(sa.distinct(table.device)),
            sa.func.coalesce(sa.func.sum(table.input_octets + table.output_octets), 0),
        )
        .where(table.village_kode.in_(list(days)), table.local_date.in_(set(days.values())))
        .group_by(table.village_kode, table.local_date)
    )
    for kode, day, users, octets in result:
        if days[kode] == day:
            rows[kode].users_today = users
            rows[kode].bytes_today = int(octets)


def gateway_states(session: Session, village: Village, now: datetime) -> list[tuple]:
    """``(gateway, last heard, up)`` for each gateway of a village."""
    states = []
    for gateway in session.scalars(
        sa.select(Gateway).where(Gateway.village_kode == village.kode).order_by(Gateway.id)
    ):
        last = last_heard(session, gateway)
        states.append((gateway, last, is_up(last, now)))
    return states


def attention_counts(statuses: list[VillageStatus]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for status in statuses:
        for reason in status.attention:
            counts[reason] += 1
    return dict(counts)


def last_heard(session: Session, gateway: Gateway) -> datetime | None:
    """The later of the last heartbeat and the last accounting update of the gateway."""
    accounting = session.scalar(
        sa.select(sa.func.max(AccountingSession.updated_at)).where(
            AccountingSession.gateway_id == gateway.id
        )
    )
    moments = [m for m in (gateway.last_seen_at, accounting) if m is not None]
    return max(moments) if moments else None


def is_up(last: datetime | None, now: datetime) -> bool:
    """Up when heard within three heartbeat intervals (15 minutes)."""
    return last is not None and now - last <= timedelta(minutes=15)
