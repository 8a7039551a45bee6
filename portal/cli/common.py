"""What every command shares: settings, the one-line error, and the unit of work.

A command that changes data runs in one `command` block: it gets a session and the
instant of the installation's clock, its domain calls write their audit entries, and the
block commits once at the end, or not at all. Every refusal is one line on stderr:
exit code 2 for bad input (a `DomainError`), 1 when the surroundings are wrong (no
database yet, a database that does not answer, a port in use).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import click
import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal.config import Settings
from portal.domain.errors import DomainError
from portal.storage import make_engine, make_sessionmaker, unit_of_work

#: Who the audit log names for what a command did.
ACTOR = "cli"


class CommandError(click.ClickException):
    """Bad input: a one-line reason on stderr and exit code 2; nothing was written."""

    exit_code = 2


class EnvironmentProblem(click.ClickException):
    """The surroundings are wrong (database unreachable, not initialised): exit code 1."""

    exit_code = 1


@dataclass(frozen=True)
class Command:
    """One command's unit of work: the session, the instant it runs at, its settings."""

    session: Session
    now: datetime
    settings: Settings


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
def engine_for(settings: Settings) -> Iterator[sa.Engine]:
    """An engine on the installation's database, disposed of at the end."""
    engine = make_engine(settings)
    try:
        yield engine
    finally:
        engine.dispose()


def check_database(settings: Settings, engine: sa.Engine) -> None:
    """Make sure the database exists, answers and has a schema.

    Raises EnvironmentProblem (exit 1) with what to do otherwise.
    """
    database = sa.make_url(settings.sqlalchemy_url).database or ""
    if settings.is_sqlite and not Path(database).exists():
        # Connecting would create an empty SQLite file; say what to do instead.
        raise EnvironmentProblem(
            f"no database in {settings.data_dir}; create it first with: wifidesa init-db"
        )
    try:
        ready = sa.inspect(engine).has_table("alembic_version")
    except sa.exc.OperationalError as error:
        raise EnvironmentProblem(
            f"database {describe_database(settings)} unreachable: {first_line(error)}"
        ) from None
    if not ready:
        raise EnvironmentProblem(
            f"database {describe_database(settings)} has no schema; run: wifidesa init-db"
        )


def first_line(error: sa.exc.DBAPIError) -> str:
    return str(error.orig).strip().splitlines()[0] if str(error.orig).strip() else "error"


@contextmanager
def command(settings: Settings | None = None) -> Iterator[Command]:
    """One command's unit of work, committed once at the end.

    A DomainError rolls everything back and becomes a CommandError (exit 2); an
    unreachable or uninitialised database becomes an EnvironmentProblem (exit 1).
    """
    settings = settings or load_settings()
    with engine_for(settings) as engine:
        check_database(settings, engine)
        try:
            with unit_of_work(make_sessionmaker(engine)) as session:
                yield Command(session, settings.clock(), settings)
        except DomainError as error:
            raise CommandError(str(error)) from None
        except sa.exc.IntegrityError as error:
            # A concurrent writer won a race the domain checks could not see.
            raise CommandError(f"refused by the database: {first_line(error)}") from None
        except sa.exc.OperationalError as error:
            raise EnvironmentProblem(
                f"database {describe_database(settings)} failed: {first_line(error)}"
            ) from None
