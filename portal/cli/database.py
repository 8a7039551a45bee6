"""``wifidesa init-db`` and ``wifidesa backup``: the database itself."""

from __future__ import annotations

from pathlib import Path

import click
import sqlalchemy as sa

from portal import create_app
from portal.backup import BackupFailed, backup_sqlite, default_target
from portal.cli.common import EnvironmentProblem, describe_database, first_line, load_settings
from portal.config import Settings
from portal.database import db
from portal.migrations import upgrade_database


def migrate(settings: Settings) -> None:
    """Create the database, or upgrade it to the newest schema (Alembic needs the app).

    Raises EnvironmentProblem when the database does not answer.
    """
    app = create_app(settings)
    try:
        upgrade_database(app)
    except sa.exc.OperationalError as error:
        raise EnvironmentProblem(
            f"database {describe_database(settings)} unreachable: {first_line(error)}"
        ) from None
    finally:
        with app.app_context():
            db.engine.dispose()


@click.command("init-db")
def init_db() -> None:
    """Create the database, or upgrade it to the newest schema.

    Safe to run again: a database that is up to date is left as it is.
    """
    settings = load_settings()
    migrate(settings)
    click.echo(f"Database ready: {describe_database(settings)}")


@click.command("backup")
@click.option(
    "--to",
    "target",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to write the copy [default: <data>/backups/wifidesa-<time>.sqlite3].",
)
def backup(target: Path | None) -> None:
    """Copy the SQLite database while it is in use, and check the copy.

    For PostgreSQL it explains what to use instead (pg_dump / pg_basebackup).
    """
    settings = load_settings()
    destination = target or default_target(settings, settings.clock())
    try:
        written = backup_sqlite(settings, destination)
    except BackupFailed as error:
        raise EnvironmentProblem(str(error)) from None
    click.echo(f"Backup written and checked: {written}")
