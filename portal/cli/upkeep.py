"""``wifidesa purge``: the daily upkeep the RADIUS server also runs on its own, on demand."""

from __future__ import annotations

import click

from portal import maintenance
from portal.cli.common import check_database, engine_for, load_settings
from portal.storage import make_sessionmaker
from portal.web.privacy import retention_lines


@click.command("purge")
def purge() -> None:
    """Delete raw sessions and pseudonym keys past their retention, now.

    The server also does this once a day. Prints what was deleted or unlinked, and the
    retention rules in force.
    """
    settings = load_settings()
    with engine_for(settings) as engine:
        check_database(settings, engine)
        counts = maintenance.run_purge(make_sessionmaker(engine), settings.clock(), settings)
    for name, count in counts.as_dict().items():
        click.echo(f"{name.replace('_', ' ')}: {count}")
    for line in retention_lines(settings):
        click.echo(f"- {line}")


commands = [purge]
