"""What every command shares: settings, the one-line error, and the unit of work."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session

from portal import create_app
from portal.config import Settings
from portal.database import db
from portal.domain.errors import DomainError


class CommandError(click.ClickException):
    """Bad input: a one-line reason on stderr and exit code 2; nothing was written."""

    exit_code = 2


class EnvironmentProblem(click.ClickException):
    """The surroundings are wrong (database unreachable, not initialised): exit code 1."""

    exit_code = 1


def utcnow() -> datetime:
    """The current time as the naive UTC datetime the models store."""
    return datetime.now(UTC).replace(tzinfo=None)


def load_settings() -> Settings:
    """Settings from the environment with the secret key resolved.

    Raises CommandError for a malformed variable, EnvironmentProblem when the data
    folder is not writable.
    """
    try:
        settings = Settings.from_env()
    except ValueError as error:
        raise CommandError(str(error)) from None
    try:
        return settings.resolve_secret_key()
    except OSError as error:
        raise EnvironmentProblem(f"cannot use data folder {settings.data_dir}: {error}") from None


def describe_database(settings: Settings) -> str:
    """The database URL with any password hidden, for messages."""
    return sa.make_url(settings.sqlalchemy_url).render_as_string(hide_password=True)


@contextmanager
def app_context(settings: Settings) -> Iterator[Flask]:
    """An application for the settings, inside its app context; engines closed on exit."""
    app = create_app(settings)
    with app.app_context():
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()


def check_database(settings: Settings) -> None:
    """Make sure the database exists, answers and has a schema, before serving from it.

    Raises EnvironmentProblem (exit 1) with what to do otherwise.
    """
    _require_sqlite_file(settings)
    with app_context(settings):
        _require_schema(settings)


@contextmanager
def unit_of_work(settings: Settings) -> Iterator[Session]:
    """A session for one command, committed once at the end.

    A DomainError rolls everything back and becomes a CommandError (exit 2); an
    unreachable or uninitialised database becomes an EnvironmentProblem (exit 1).
    """
    _require_sqlite_file(settings)
    with app_context(settings):
        session = db.session
        _require_schema(settings)
        try:
            yield session
            session.commit()
        except DomainError as error:
            session.rollback()
            raise CommandError(str(error)) from None
        except sa.exc.IntegrityError as error:
            # A concurrent writer won a race the domain checks could not see.
            session.rollback()
            raise CommandError(f"refused by the database: {error.orig}".splitlines()[0]) from None


def _require_sqlite_file(settings: Settings) -> None:
    # Connecting would create an empty SQLite file; say what to do instead.
    if (
        settings.is_sqlite
        and not Path(sa.make_url(settings.sqlalchemy_url).database or "").exists()
    ):
        raise EnvironmentProblem(
            f"no database in {settings.data_dir}; create it first with: wifidesa init-db"
        )


def _require_schema(settings: Settings) -> None:
    try:
        ready = sa.inspect(db.engine).has_table("alembic_version")
    except sa.exc.OperationalError as error:
        message = str(error.orig).strip().splitlines()[0]
        raise EnvironmentProblem(
            f"database {describe_database(settings)} unreachable: {message}"
        ) from None
    if not ready:
        raise EnvironmentProblem(
            f"database {describe_database(settings)} has no schema; run: wifidesa init-db"
        )
