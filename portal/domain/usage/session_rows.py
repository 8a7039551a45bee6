"""Accounting sessions as plain rows: one query to read a batch's, two statements to write.

The RADIUS server handles thousands of accounting requests a second; loading and flushing
ORM objects for each cost more than the database work itself, so the batch path reads
`SessionRow`s (locked for update on PostgreSQL), lets `portal.domain.usage.accounting.record`
change them in memory, and writes them back with `save_sessions`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from functools import lru_cache

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal.domain.batching import dialect_of, one_of, values_for
from portal.models import AccountingSession


@dataclass
class SessionRow:
    """An accounting session read and written without the ORM (the batch path).

    `record` changes it in memory; `save_sessions` inserts new rows and updates
    changed ones in two executemany statements.
    """

    gateway_id: int
    acct_session_id: str
    village_kode: str
    device: str | None
    local_date: date
    credential_kind: str
    grant_id: int | None
    voucher_id: int | None
    user_name: str | None
    started_at: datetime
    updated_at: datetime
    stopped_at: datetime | None = None
    session_seconds: int = 0
    input_octets: int = 0
    output_octets: int = 0
    interim_count: int = 0
    terminate_cause: str | None = None
    framed_ip: str | None = None
    id: int | None = None
    changed: bool = field(default=False, compare=False)


_COLUMNS = tuple(f.name for f in fields(SessionRow) if f.name != "changed")
_MUTABLE = (
    "updated_at",
    "stopped_at",
    "session_seconds",
    "input_octets",
    "output_octets",
    "interim_count",
    "terminate_cause",
    "framed_ip",
)


@lru_cache(maxsize=4)
def _sessions_statement(dialect: str) -> sa.Select:
    table = AccountingSession.__table__
    return (
        sa.select(*(table.c[name] for name in _COLUMNS))
        .where(
            table.c.gateway_id == sa.bindparam("gateway_id"),
            one_of(dialect, table.c.acct_session_id, "session_ids"),
        )
        .with_for_update()
    )


def _update_statement() -> sa.Update:
    table = AccountingSession.__table__
    return (
        sa.update(table)
        .where(table.c.id == sa.bindparam("s_id"))
        .values({name: sa.bindparam(f"s_{name}", type_=table.c[name].type) for name in _MUTABLE})
    )


_UPDATE = _update_statement()
_INSERT = sa.insert(AccountingSession.__table__).returning(
    AccountingSession.__table__.c.id, sort_by_parameter_order=True
)


def load_sessions(
    session: Session, keys: list[tuple[int, str]]
) -> dict[tuple[int, str], SessionRow]:
    """The stored sessions for (gateway id, Acct-Session-Id) pairs, locked for update."""
    by_gateway: dict[int, set[str]] = {}
    for gateway_id, acct_session_id in keys:
        by_gateway.setdefault(gateway_id, set()).add(acct_session_id)
    dialect = dialect_of(session)
    statement = _sessions_statement(dialect)
    found: dict[tuple[int, str], SessionRow] = {}
    for gateway_id, session_ids in sorted(by_gateway.items()):
        rows = session.execute(
            statement,
            {"gateway_id": gateway_id, "session_ids": values_for(dialect, session_ids)},
        )
        for row in rows:
            loaded = SessionRow(**row._mapping)
            found[(loaded.gateway_id, loaded.acct_session_id)] = loaded
    return found


def save_sessions(session: Session, rows: Iterable[SessionRow]) -> None:
    """Insert the new rows (their ids are filled in) and update the changed ones."""
    rows = list(rows)
    new = [row for row in rows if row.id is None]
    changed = [row for row in rows if row.id is not None and row.changed]
    connection = session.connection()
    if new:
        values = [{name: getattr(row, name) for name in _COLUMNS if name != "id"} for row in new]
        for row, (new_id,) in zip(new, connection.execute(_INSERT, values), strict=True):
            row.id = new_id
    if changed:
        connection.execute(
            _UPDATE,
            [
                {"s_id": row.id, **{f"s_{name}": getattr(row, name) for name in _MUTABLE}}
                for row in changed
            ],
        )
    for row in new + changed:
        row.changed = False
