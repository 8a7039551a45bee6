"""Command line for reports and retention: ``wifidesa purge``.

`commands` lists the click commands for the ``wifidesa`` group to register.
"""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from portal import settings_of
from portal.database import db
from portal.domain import clock, export_cache, retention


@click.command("purge")
@with_appcontext
def purge() -> None:
    """Delete raw sessions and pseudonym keys past their retention now.

    The server also does this once a day. Prints what was deleted or unlinked.
    """
    settings = settings_of(current_app)
    counts = retention.purge(db.session, clock.utcnow(), settings)
    db.session.commit()
    if db.engine.dialect.name == "sqlite":
        db.session.execute(sa.text("PRAGMA wal_checkpoint(TRUNCATE)"))
    export_cache.prune(export_cache.folder_of(settings.data_dir))
    for name, count in counts.as_dict().items():
        click.echo(f"{name.replace('_', ' ')}: {count}")
    for line in retention.describe(settings):
        click.echo(f"- {line}")


commands = [purge]
