"""The statements the rollups write with: insert-or-add upserts per SQL dialect.

Each adds to the stored value in SQL (``x = x + excluded.x``), so several RADIUS
processes on one PostgreSQL database never lose an increment. Statements are built once
per table and dialect (`functools.lru_cache`): building and compiling them cost more
than running them.
"""

from __future__ import annotations

from functools import lru_cache

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from portal.domain.batching import dialect_of
from portal.models import DeviceDay, TermsAcceptance

#: The counters a device's day carries.
DEVICE_FIELDS = ("bytes_total", "seconds_total", "sessions")


def insert_for(session: Session, table: sa.Table) -> sa.Insert:
    """An INSERT of ``table`` in the session's dialect (for ON CONFLICT clauses)."""
    dialect = dialect_of(session)
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(table)


@lru_cache(maxsize=16)
def _add_statement(
    dialect: str, table: sa.Table, keys: tuple[str, ...], counters: tuple[str, ...]
) -> sa.Insert:
    module = postgresql if dialect == "postgresql" else sqlite
    stmt = module.insert(table)
    return stmt.on_conflict_do_update(
        index_elements=list(keys),
        set_={name: table.c[name] + stmt.excluded[name] for name in counters},
    )


def add_rows(
    session: Session,
    table: sa.Table,
    keys: tuple[str, ...],
    counters: tuple[str, ...],
    rows: list[dict],
) -> None:
    """Insert ``rows``, or add their ``counters`` to the stored ones when ``keys`` exist."""
    if rows:
        statement = _add_statement(dialect_of(session), table, keys, counters)
        session.connection().execute(statement, rows)


@lru_cache(maxsize=4)
def terms_add_statement(dialect: str) -> sa.Insert:
    """Insert a (village, day, terms version) count, or add to the stored one."""
    module = postgresql if dialect == "postgresql" else sqlite
    table = TermsAcceptance.__table__
    stmt = module.insert(table)
    return stmt.on_conflict_do_update(
        index_elements=["village_kode", "local_date", "terms_version_id"],
        set_={"count": table.c.count + stmt.excluded["count"]},
    )


@lru_cache(maxsize=4)
def device_insert_statement(dialect: str) -> sa.Insert:
    """Insert a device's day, or nothing when it exists; returns a row when it inserted."""
    module = postgresql if dialect == "postgresql" else sqlite
    table = DeviceDay.__table__
    return module.insert(table).on_conflict_do_nothing().returning(table.c.village_kode)


def _device_update_statement() -> sa.Update:
    table = DeviceDay.__table__
    return (
        sa.update(table)
        .where(
            table.c.village_kode == sa.bindparam("k_v"),
            table.c.local_date == sa.bindparam("k_d", type_=table.c.local_date.type),
            table.c.device == sa.bindparam("k_dev"),
        )
        .values({name: table.c[name] + sa.bindparam(f"d_{name}") for name in DEVICE_FIELDS})
    )


#: Add ``d_<field>`` to a device's day named by ``k_v``, ``k_d``, ``k_dev`` (executemany).
DEVICE_UPDATE = _device_update_statement()
