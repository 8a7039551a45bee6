"""Accounting sessions: the rows the RADIUS server reads and writes, and closing them.

The RADIUS server handles thousands of accounting requests a second; loading and flushing
ORM objects for each cost more than the database work itself, so the batch path reads
`SessionRow`s (locked for update on PostgreSQL, in id order so two servers never wait on
each other in a circle; SQLite's whole write lock is taken before the read, see
`portal.domain.transactions.take_write_lock`), lets `portal.domain.usage.accounting`
change them in memory, and writes them back with `save_sessions`.

Several RADIUS processes may share one database, and a router that fails over sends the
same request to two of them. A new session is therefore created with `claim_sessions`
(insert-or-nothing: the second server finds the first one's row, never a key violation),
and `save_sessions` writes a row back only if its counters are still those it read
(compare-and-set): a row changed meanwhile raises `SessionChanged`, the transaction rolls
back with every delta it added, and the batch is done again from what the database holds.

How sessions end is `portal.domain.usage.closing`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from functools import lru_cache

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
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
    #: The counters as read (`load_sessions`): what `save_sessions` compares before it writes.
    loaded: tuple | None = field(default=None, compare=False)

    def counters(self) -> tuple:
        """What the compare-and-set compares: the counters and whether it was open."""
        return (
            self.session_seconds,
            self.input_octets,
            self.output_octets,
            self.stopped_at is None,
        )


class SessionChanged(RuntimeError):
    """A session was changed by another process between reading and writing it back;
    the unit of work must be rolled back and done again."""


_COLUMNS = tuple(f.name for f in fields(SessionRow) if f.name not in ("changed", "loaded"))
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
        .order_by(table.c.id)
        .with_for_update()
    )


def _update_statement() -> sa.Update:
    table = AccountingSession.__table__
    return (
        sa.update(table)
        .where(
            table.c.id == sa.bindparam("s_id"),
            # compare-and-set: only if nobody changed the counters since they were read
            table.c.session_seconds == sa.bindparam("was_seconds"),
            table.c.input_octets == sa.bindparam("was_input"),
            table.c.output_octets == sa.bindparam("was_output"),
            (table.c.stopped_at.is_(None)) == sa.bindparam("was_open", type_=sa.Boolean),
        )
        .values({name: sa.bindparam(f"s_{name}", type_=table.c[name].type) for name in _MUTABLE})
    )


_UPDATE = _update_statement()
_INSERT = sa.insert(AccountingSession.__table__).returning(
    AccountingSession.__table__.c.id, sort_by_parameter_order=True
)


@lru_cache(maxsize=4)
def _claim_statement(dialect: str) -> sa.Insert:
    table = AccountingSession.__table__
    module = postgresql if dialect == "postgresql" else sqlite
    return (
        module.insert(table)
        .on_conflict_do_nothing(index_elements=["gateway_id", "acct_session_id"])
        .returning(table.c.gateway_id, table.c.acct_session_id)
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
            loaded.loaded = loaded.counters()
            found[(loaded.gateway_id, loaded.acct_session_id)] = loaded
    return found


def claim_sessions(session: Session, rows: Iterable[SessionRow]) -> set[tuple[int, str]]:
    """Insert new sessions unless they exist; returns the keys this call inserted.

    A key another process inserted meanwhile is left as it is (on PostgreSQL the insert
    waits for that process's commit); read it with `load_sessions`. Keys are inserted in
    order, so two servers claiming overlapping sessions never wait on each other in a
    circle.
    """
    values = [
        {name: getattr(row, name) for name in _COLUMNS if name != "id"}
        for row in sorted(rows, key=lambda r: (r.gateway_id, r.acct_session_id))
    ]
    if not values:
        return set()
    inserted = session.connection().execute(_claim_statement(dialect_of(session)), values)
    return {(gateway_id, acct_session_id) for gateway_id, acct_session_id in inserted}


def save_sessions(session: Session, rows: Iterable[SessionRow]) -> None:
    """Insert the new rows (their ids are filled in) and update the changed ones.

    A row read by `load_sessions` is written only if its counters are still those it
    was read with. Raises SessionChanged when one was changed meanwhile (the caller
    rolls back and starts again).
    """
    rows = list(rows)
    new = [row for row in rows if row.id is None]
    changed = sorted((r for r in rows if r.id is not None and r.changed), key=lambda r: r.id)
    connection = session.connection()
    if new:
        values = [{name: getattr(row, name) for name in _COLUMNS if name != "id"} for row in new]
        for row, (new_id,) in zip(new, connection.execute(_INSERT, values), strict=True):
            row.id = new_id
    if changed:
        result = connection.execute(
            _UPDATE,
            [
                {
                    "s_id": row.id,
                    **dict(
                        zip(
                            ("was_seconds", "was_input", "was_output", "was_open"),
                            row.loaded or row.counters(),
                            strict=True,
                        )
                    ),
                    **{f"s_{name}": getattr(row, name) for name in _MUTABLE},
                }
                for row in changed
            ],
        )
        if result.rowcount != len(changed):
            raise SessionChanged(f"{len(changed) - result.rowcount} sessions changed meanwhile")
    for row in new + changed:
        row.changed = False
        row.loaded = row.counters()


def open_sessions(session: Session, *, village_kode: str, device: str) -> list[AccountingSession]:
    """The device's open sessions at a village (for Disconnect or CoA)."""
    return list(
        session.scalars(
            sa.select(AccountingSession).where(
                AccountingSession.village_kode == village_kode,
                AccountingSession.device == device,
                AccountingSession.stopped_at.is_(None),
            )
        )
    )
