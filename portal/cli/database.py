"""``wifidesa init-db`` and ``wifidesa backup``: the database itself."""

from __future__ import annotations

from pathlib import Path

import click
import sqlalchemy as sa

from portal.backup import BackupFailed, backup_sqlite, default_target
from portal.cli.common import (
    EnvironmentProblem,
    app_context,
    describe_database,
    load_settings,
    utcnow,
)
from portal.migrations import upgrade_database


@click.command("init-db")
def init_db() -> None:
    """Create the database, or upgrade it to the newest schema.

    Safe to run again: a database that is up to date is left as it is.
    """
    settings = load_settings()
    with app_context(settings) as app:
        try:
            upgrade_database(app)
        except sa.exc.OperationalError as error:
            message = str(error.orig).strip().splitlines()[0]
            raise EnvironmentProblem(
                f"database {describe_database(settings)} unreachable: {message}"
            ) from None
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
    destination = target or default_target(settings, utcnow())
    try:
        written = backup_sqlite(settings, destination)
    except BackupFailed as error:
        raise EnvironmentProblem(str(error)) from None
    click.echo(f"Backup written and checked: {written}")
