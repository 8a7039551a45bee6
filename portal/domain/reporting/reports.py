"""Usage figures read from the rollup tables, by village and day, hour or whole range.

The RADIUS server keeps UsageDaily, UsageHourly, DeviceDay and GatewayUptime current as
accounting arrives, so everything here is aggregate SQL over those tables and shows today
without a nightly batch. Every function takes the session, a region ``scope`` (a province,
regency, district or village code) and, where "today" matters, ``now`` as naive UTC.

"Users" are distinct devices of a local day. Device pseudonyms change every day, so a
count over several days is a sum of daily counts (device-days), never distinct people.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal.domain.errors import DomainError
from portal.models import UsageDaily, UsageHourly, Village

#: The indicators of every usage row, in column order. Counts, bytes and seconds.
INDICATORS = (
    "sessions",
    "devices",
    "bytes_down",
    "bytes_up",
    "seconds_online",
    "peak_concurrent",
    "terms_accepted",
    "vouchers_redeemed",
    "quota_refusals",
)
GROUPS = ("day", "hour", "village")
#: The longest range one request may ask for, per grouping.
MAX_DAYS = {"day": 366, "hour": 62, "village": 366}


class InvalidReportRequest(DomainError):
    """The range, grouping or scope of a report request cannot be served."""


@dataclass(frozen=True, slots=True)
class VillageLabel:
    """A village's codes and names at every level (labels only; codes are the keys)."""

    kode: str
    name: str
    district_name: str
    regency_name: str
    province_name: str


@dataclass(frozen=True, slots=True)
class UsageTable:
    """Rows of ``(kode, period, *values)`` in `INDICATORS` order, plus village labels.

    ``period`` is an ISO date string (group "day"), a ``(date, hour)`` pair ("hour") or
    the ``(start, end)`` of the request ("village"); dates as ISO strings.
    """

    group: str
    start: date
    end: date
    rows: list[tuple]
    villages: dict[str, VillageLabel]


def in_scope(column: sa.ColumnElement[str], scope: str) -> sa.ColumnElement[bool]:
    """SQL for "``column`` lies inside ``scope``", usable by an index (no LIKE).

    Codes below ``64.01`` sort between ``64.01.`` and ``64.01/`` ('/' follows '.').
    """
    if len(scope) == 13:
        return column == scope
    return sa.and_(column >= scope + ".", column < scope + "/")


def check_range(start: date, end: date, group: str) -> None:
    """Raise InvalidReportRequest unless ``group`` is known and start..end fits it."""
    if group not in GROUPS:
        raise InvalidReportRequest(
            f"group must be one of {', '.join(GROUPS)}", code="group-unknown", group=group
        )
    if end < start:
        raise InvalidReportRequest("'to' is before 'from'", code="range-reversed")
    if (end - start).days + 1 > MAX_DAYS[group]:
        raise InvalidReportRequest(
            f"group={group} covers at most {MAX_DAYS[group]} days",
            code="range-too-long",
            days=MAX_DAYS[group],
        )


def village_labels(session: Session, scope: str) -> dict[str, VillageLabel]:
    """Every registered village inside ``scope`` by code."""
    rows = session.execute(
        sa.select(
            Village.kode,
            Village.name,
            Village.district_name,
            Village.regency_name,
            Village.province_name,
        )
        .where(in_scope(Village.kode, scope))
        .order_by(Village.kode)
    )
    return {row[0]: VillageLabel(*row) for row in rows}


def usage(session: Session, scope: str, start: date, end: date, group: str) -> UsageTable:
    """Usage of every village in ``scope`` from ``start`` to ``end`` (local dates, inclusive).

    Only village-periods with a rollup row appear (no row means nobody used the hotspot).
    Periods are ISO date strings (see `UsageTable`). Raises InvalidReportRequest for an
    unknown group or a range that is too long.
    """
    check_range(start, end, group)
    table = (UsageHourly if group == "hour" else UsageDaily).__table__
    # Dates come back as ISO text straight from the database: a year of a thousand
    # villages is 365,000 rows, and parsing each date only to print it again costs seconds.
    day = sa.cast(table.c.local_date, sa.String(10))
    where = (in_scope(table.c.village_kode, scope), table.c.local_date.between(start, end))
    connection = session.connection()
    if group == "village":
        values = [
            sa.func.max(table.c[name]) if name == "peak_concurrent" else sa.func.sum(table.c[name])
            for name in INDICATORS
        ]
        query = (
            sa.select(table.c.village_kode, *values)
            .where(*where)
            .group_by(table.c.village_kode)
            .order_by(table.c.village_kode)
        )
        period = (start.isoformat(), end.isoformat())
        rows = [(row[0], period, *map(int, row[1:])) for row in connection.execute(query)]
    elif group == "hour":
        query = (
            sa.select(table.c.village_kode, day, table.c.local_hour,
                      *(table.c[name] for name in INDICATORS))
            .where(*where)
            .order_by(table.c.village_kode, table.c.local_date, table.c.local_hour)
        )  # fmt: skip
        rows = [(r[0], (r[1], r[2]), *r[3:]) for r in connection.execute(query)]
    else:
        query = (
            sa.select(table.c.village_kode, day, *(table.c[name] for name in INDICATORS))
            .where(*where)
            .order_by(table.c.village_kode, table.c.local_date)
        )
        rows = [tuple(r) for r in connection.execute(query)]
    return UsageTable(group, start, end, rows, village_labels(session, scope))


def usage_text(
    session: Session, scope: str, start: date, end: date, group: str, batch: int = 10_000
) -> Iterator[list[tuple[str, str]]]:
    """Like `usage` for group "day" or "hour", as text formatted by the database.

    Yields batches of ``(kode, "period,sessions,devices,…")``: the CSV cells after a
    village's codes and names, in `INDICATORS` order. Formatting a year of a thousand
    villages (365,000 rows) in SQL takes a fraction of the time Python needs.
    Raises InvalidReportRequest as `usage` does, and ValueError for group "village".
    """
    check_range(start, end, group)
    if group == "village":
        raise ValueError("usage_text serves group day or hour")
    table = (UsageHourly if group == "hour" else UsageDaily).__table__
    cells: list[sa.ColumnElement[str]] = [sa.cast(table.c.local_date, sa.String(10))]
    order = [table.c.village_kode, table.c.local_date]
    if group == "hour":
        hour = table.c.local_hour
        padding = sa.case((hour < 10, "0"), else_="")
        cells.append(padding + sa.cast(hour, sa.String(2)) + ".00")
        order.append(hour)
    cells += [sa.cast(table.c[name], sa.String(20)) for name in INDICATORS]
    text = cells[0]
    for cell in cells[1:]:
        text = text + "," + cell
    query = (
        sa.select(table.c.village_kode, text)
        .where(in_scope(table.c.village_kode, scope), table.c.local_date.between(start, end))
        .order_by(*order)
    )
    # Per statement: Connection.execution_options would switch the whole connection (and
    # the rest of the request's statements) to server-side cursors.
    result = session.connection().execute(query.execution_options(stream_results=True))
    while chunk := result.fetchmany(batch):
        yield chunk
