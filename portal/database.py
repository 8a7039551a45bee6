"""The database: one Flask-SQLAlchemy object, SQLite pragmas, and engines for non-Flask code.

The RADIUS server and other processes without a Flask app use `make_engine` and plain
SQLAlchemy sessions over the same models; the portal uses ``db.session``.
"""

from __future__ import annotations

import sqlite3
from typing import Any

import sqlalchemy as sa
from flask import Flask, Response
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase, sessionmaker

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


db = SQLAlchemy(model_class=Base)


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


def init_app(app: Flask) -> None:
    """Attach the database to the app and apply the SQLite pragmas to its engine."""
    db.init_app(app)
    with app.app_context():
        sa.event.listen(db.engine, "connect", set_sqlite_pragmas)

    @app.after_request
    def _end_unit_of_work(response: Response) -> Response:
        # One commit per request (views and domain code only flush): a response below
        # 400 commits, anything else rolls back, so a refused form changes nothing.
        commit_or_rollback(response.status_code < 400)
        return response


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


def commit_or_rollback(response_ok: bool) -> None:
    """End the request's unit of work: commit once when it succeeded, else roll back."""
    if response_ok:
        db.session.commit()
    else:
        db.session.rollback()
