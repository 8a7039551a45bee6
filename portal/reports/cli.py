"""Command line for retention: ``wifidesa purge``.

`commands` lists the click commands for the ``wifidesa`` group to register. They read
the same WIFIDESA_* environment as the other commands and need no Flask app.
"""

from __future__ import annotations

import click

from portal.config import Settings
from portal.database import make_engine, make_sessionmaker
from portal.domain import clock
from portal.domain.usage import retention


@click.command("purge")
def purge() -> None:
    """Delete raw sessions and pseudonym keys past their retention, now.

    The server also does this once a day. Prints what was deleted or unlinked, and the
    retention rules in force.
    """
    try:
        settings = Settings.from_env()
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    engine = make_engine(settings)
    try:
        counts = retention.run_purge(make_sessionmaker(engine), clock.utcnow(), settings)
    finally:
        engine.dispose()
    for name, count in counts.as_dict().items():
        click.echo(f"{name.replace('_', ' ')}: {count}")
    for line in retention.describe(settings):
        click.echo(f"- {line}")


commands = [purge]
