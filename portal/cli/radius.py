"""``wifidesa radius`` and ``wifidesa close-stale``: the RADIUS server, and the sweep of
sessions whose Stop was lost that it also runs every minute."""

from __future__ import annotations

import logging

import click

from portal.cli.common import EnvironmentProblem, command, load_settings
from portal.domain.usage.closing import close_stale_sessions


@click.command("radius")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=1812, show_default=True, help="Authentication port (UDP).")
@click.option(
    "--acct-port", type=int, default=None, help="Accounting port (UDP). [default: port + 1]"
)
@click.option(
    "--metrics-port",
    type=int,
    default=None,
    help="Serve Prometheus /metrics on 127.0.0.1 at this port.",
)
@click.option(
    "--reject-delay",
    type=float,
    default=1.0,
    show_default=True,
    help="Seconds an Access-Reject for wrong credentials is held back.",
)
@click.option(
    "--no-mac-login", is_flag=True, help="Refuse login-by=mac (User-Name = the device's MAC)."
)
def radius_command(
    host: str,
    port: int,
    acct_port: int | None,
    metrics_port: int | None,
    reject_delay: float,
    no_mac_login: bool,
) -> None:
    """Run the RADIUS server for the gateways in the database.

    Answers Access-Requests (one-time grants, vouchers, MAC login) with fair-use limits,
    stores accounting before acknowledging it, and disconnects or throttles devices
    whose daily quota runs out. Stops on Ctrl-C or SIGTERM.
    """
    from radius.server import RadiusServer

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    # psycopg warns again about each broken connection it discards; radius.outages has
    # already said the database is unreachable, once.
    logging.getLogger("psycopg").setLevel(logging.ERROR)
    try:
        server = RadiusServer(
            load_settings(),
            host,
            port,
            acct_port,
            reject_delay=reject_delay,
            allow_mac_login=not no_mac_login,
        )
    except OSError as error:  # the port is taken (another server), or not ours to bind
        raise EnvironmentProblem(
            f"cannot listen on {host} port {port} or {acct_port or port + 1}: {error.strerror}"
        ) from None
    if metrics_port is not None:
        server.metrics.serve(metrics_port)
    click.echo(f"RADIUS on {host}: auth {server.auth_port}, accounting {server.acct_port}")
    server.run()


@click.command("close-stale")
@click.option(
    "--missed",
    default=3,
    show_default=True,
    help="Close sessions that missed this many interim updates.",
)
def close_stale_command(missed: int) -> None:
    """Close accounting sessions whose router stopped reporting (lost Stop).

    A session counts as stale after `missed` interim intervals of its village's policy
    without an update; it is closed at its last update and its client IP is forgotten.
    """
    with command() as run:
        closed = close_stale_sessions(run.session, now=run.now, missed=missed)
    click.echo(f"closed {closed} stale session(s)")


commands = [radius_command, close_stale_command]
