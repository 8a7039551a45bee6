"""The database without Flask: the declarative base, engines, sessions and the unit of work.

The RADIUS server, the command line and the upkeep jobs run without a Flask app; they
use `make_engine` and plain SQLAlchemy sessions over the same models. The portal's
Flask-SQLAlchemy object (`portal.database.db`) is built on the same `Base`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from portal.config import Settings

# Stable constraint names so migrations can alter constraints on SQLite and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def set_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Make every SQLite connection durable and strict.

    WAL lets readers run beside the one writer; synchronous=FULL makes a commit survive
    power loss, which accounting relies on (a response is sent only after the commit);
    secure_delete overwrites deleted rows so purged data is really gone, and
    journal_size_limit=0 truncates the WAL whenever a checkpoint lets it start over: a
    reused WAL keeps the old copies of pages past its write position, such as a
    session's client IP from before the session closed.
    """
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    for pragma in (
        "journal_mode=WAL",
        "synchronous=FULL",
        "foreign_keys=ON",
        "secure_delete=ON",
        "journal_size_limit=0",
        "busy_timeout=10000",
    ):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def engine_options(settings: Settings) -> dict[str, Any]:
    """Engine keyword arguments suited to the configured database.

    Bound parameters are left out of error messages (``hide_parameters``): a logged
    traceback must not carry an open session's client IP or any other personal value.
    """
    if settings.is_sqlite:
        return {"connect_args": {"timeout": 10}, "hide_parameters": True}
    return {"pool_pre_ping": True, "hide_parameters": True}


def make_engine(settings: Settings) -> sa.Engine:
    """Create an engine for code that runs without a Flask app (RADIUS, benchmarks)."""
    if settings.is_sqlite:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(settings.sqlalchemy_url, **engine_options(settings))
    sa.event.listen(engine, "connect", set_sqlite_pragmas)
    return engine


def make_sessionmaker(engine: sa.Engine) -> sessionmaker:
    """A session factory whose objects stay readable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def unit_of_work(sessions: sessionmaker) -> Iterator[Session]:
    """A session for one unit of work outside a request (a command, a batch of RADIUS
    packets, an upkeep round): committed once at the end, rolled back if it raises."""
    with sessions() as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
