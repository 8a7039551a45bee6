"""Savepoints that stay inside the unit of work on SQLite as on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session, SessionTransaction


@contextmanager
def savepoint(session: Session) -> Iterator[SessionTransaction]:
    """``session.begin_nested()`` that stays inside the unit of work on SQLite too.

    Python's sqlite3 module opens a transaction only at the first INSERT, UPDATE or
    DELETE, so a SAVEPOINT issued before any of them starts a transaction of its own,
    and its RELEASE commits at once: a later rollback of the unit of work would not
    undo what the savepoint wrote (and the commit costs a second fsync). Beginning the
    transaction first keeps the savepoint nested. Raises what the block raises.
    """
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        raw = connection.connection.dbapi_connection
        if raw is not None and not raw.in_transaction:
            connection.exec_driver_sql("BEGIN")
    with session.begin_nested() as nested:
        yield nested


def take_write_lock(session: Session) -> None:
    """Make the unit of work the database's only writer from here on, before it reads
    what it will change (read-then-write must see the latest committed state).

    SQLite: ``BEGIN IMMEDIATE`` takes the database's write lock now, waiting up to the
    busy timeout for another process's transaction, instead of at the first write,
    when what was read may be stale already (several RADIUS processes may share one
    file). If the unit of work has written already it holds the lock. PostgreSQL needs
    nothing here: the rows are locked as they are read (``FOR UPDATE``).
    Raises SQLAlchemyError (``database is locked``) when the lock is not free in time.
    """
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return
    raw = connection.connection.dbapi_connection
    if raw is not None and not raw.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
