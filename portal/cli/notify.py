"""``wifidesa notify``: send the notifications that are due (a round, or one every N seconds)."""

from __future__ import annotations

import logging
import time

import click
from sqlalchemy.exc import SQLAlchemyError

from portal import notifier
from portal.cli.common import check_database, engine_for, load_settings
from portal.storage import make_sessionmaker

log = logging.getLogger(__name__)


@click.command("notify")
@click.option(
    "--every",
    type=click.IntRange(10, 3600),
    default=None,
    help="Run a round every this many seconds until Ctrl-C (default: one round, then exit).",
)
def notify(every: int | None) -> None:
    """Tell each area's Diskominfo about due events by e-mail and Telegram.

    Events: a gateway silent longer than the area's threshold and its return, a
    contract ending within 30 days, the daily summary at the area's chosen time. Each
    is sent once; a failing channel is tried again later. Set channels in the console
    (Pemberitahuan). Run it from cron every minute, or leave it running with --every 60.
    Prints one line per round: queued, sent, retrying, failed.
    """
    settings = load_settings()
    with engine_for(settings) as engine:
        check_database(settings, engine)
        factory = make_sessionmaker(engine)
        while True:
            try:
                result = notifier.run_round(factory, settings, settings.clock())
            except SQLAlchemyError as error:
                if every is None:
                    raise
                log.warning("notification round failed: %s", type(error).__name__)
            else:
                click.echo(
                    f"queued {result.queued}, sent {result.sent},"
                    f" retrying {result.retrying}, failed {result.failed}"
                )
            if every is None:
                return
            time.sleep(every)


commands = [notify]
