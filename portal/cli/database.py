"""``wifidesa init-db``: create or upgrade the schema."""

from __future__ import annotations

import click
import sqlalchemy as sa

from portal.cli.common import EnvironmentProblem, app_context, describe_database, load_settings
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
