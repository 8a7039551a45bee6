"""Outages a router reports after it reaches the central server again, and the
emergency use it allowed meanwhile.

While the central RADIUS server is unreachable the router's netwatch turns on a local
emergency allowance (hotspot trial) and a router script counts emergency logins,
seconds and bytes — counts only, never a MAC or an IP. The first heartbeat after the
outage carries ``outage=<router's id>`` with those counts and the outage's length; the
portal records it once per gateway and id (`record_outage`: a retransmitted or repeated
report changes nothing), in the village's day the outage started on. The reports read
the outage periods and their emergency use in `portal.domain.reporting.figures`
(``outages``, ``emergency_use``), and uptime there leaves the periods out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from portal.domain import clock
from portal.domain.batching import dialect_of
from portal.domain.errors import DomainError
from portal.domain.network.liveness import uptime_bucket
from portal.models import Gateway, GatewayOutage

_OUTAGE_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
#: Bounds of a plausible report: a month-long outage, a village's worth of logins.
MAX_MINUTES = 31 * 24 * 60
MAX_LOGINS = 1_000_000
MAX_SECONDS = 10**10
MAX_BYTES = 10**14
FIELDS = ("emergency_logins", "emergency_seconds", "emergency_bytes", "outage_minutes")


class InvalidOutageReport(DomainError):
    """An outage report's field is missing, not a whole number, or out of bounds."""


@dataclass(frozen=True)
class OutageReport:
    """What a router reported about one outage (its own id, counts, length)."""

    outage_key: str
    logins: int
    seconds: int
    bytes_: int
    minutes: int


def parse_report(fields: Mapping[str, str]) -> OutageReport | None:
    """The outage report in a heartbeat's form fields, None when it carries none
    (no or an empty ``outage``). Raises InvalidOutageReport for a malformed one."""
    key = fields.get("outage", "").strip()
    if not key:
        return None
    if not _OUTAGE_ID.fullmatch(key):
        raise InvalidOutageReport("outage must be 1-64 letters, digits, '.', '_', ':' or '-'")
    bounds = {
        "emergency_logins": MAX_LOGINS,
        "emergency_seconds": MAX_SECONDS,
        "emergency_bytes": MAX_BYTES,
        "outage_minutes": MAX_MINUTES,
    }
    values = {}
    for name, bound in bounds.items():
        raw = fields.get(name, "0").strip() or "0"
        if not (raw.isascii() and raw.isdigit()) or len(raw) > 15 or int(raw) > bound:
            raise InvalidOutageReport(f"{name} must be a whole number from 0 to {bound}")
        values[name] = int(raw)
    return OutageReport(
        key,
        values["emergency_logins"],
        values["emergency_seconds"],
        values["emergency_bytes"],
        values["outage_minutes"],
    )


def record_outage(
    session: Session, gateway: Gateway, report: OutageReport, *, now: datetime
) -> bool:
    """Record ``report`` for ``gateway`` unless this gateway reported the same outage id
    before; True when it was new. The outage ends at ``now`` (the first heartbeat after
    it, at most one scheduler interval late; stored as the start of its uptime bucket)
    and started ``minutes`` earlier; it counts on the village's local day it started
    on. Only flushes."""
    # Stored from the start of the report's 5-minute bucket: the heartbeat that carries
    # the report was heard, so its bucket is not part of the outage (uptime counts it).
    ended = uptime_bucket(now)
    started = min(now - timedelta(minutes=report.minutes), ended)
    row = {
        "gateway_id": gateway.id,
        "outage_key": report.outage_key,
        "village_kode": gateway.village_kode,
        "local_date": clock.local_day(started, gateway.village.timezone),
        "started_at": started,
        "ended_at": ended,
        "emergency_logins": report.logins,
        "emergency_seconds": report.seconds,
        "emergency_bytes": report.bytes_,
    }
    # Insert-or-nothing on (gateway, outage id): two workers taking the same report at
    # once still store it once.
    module = postgresql if dialect_of(session) == "postgresql" else sqlite
    table = GatewayOutage.__table__
    statement = module.insert(table).values(row).on_conflict_do_nothing().returning(table.c.id)
    return session.execute(statement).scalar() is not None
