"""``wifidesa simulate``: play a RouterOS 7 hotspot and a phone against a running portal
and RADIUS server (see `portal.simulator`). Register with ``main.add_command(simulate)``."""

from __future__ import annotations

import sys

import click

from portal.simulator import Options, run


def _radius_address(_ctx: click.Context, _param: click.Parameter, value: str) -> tuple[str, int]:
    host, _, port = value.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65535:
        raise click.BadParameter("use HOST:PORT, e.g. 127.0.0.1:1812")
    return host, int(port)


@click.command()
@click.option("--nas-id", required=True, help="The gateway's NAS-Identifier (router identity).")
@click.option("--secret", required=True, help="The gateway's RADIUS shared secret.")
@click.option("--mac", default="02:00:00:00:00:01", show_default=True, help="The phone's MAC.")
@click.option(
    "--portal", default="http://127.0.0.1:8080", show_default=True, help="The portal's URL."
)
@click.option(
    "--radius",
    "radius_address",
    default="127.0.0.1:1812",
    show_default=True,
    callback=_radius_address,
    help="RADIUS auth HOST:PORT (accounting is PORT+1).",
)
@click.option("--voucher", default=None, help="Redeem this voucher code instead of the terms.")
@click.option("--bytes", "octets", default=50_000_000, show_default=True, type=click.IntRange(0))
@click.option("--minutes", default=10, show_default=True, type=click.IntRange(0))
@click.option(
    "--hotspot-host",
    default="10.5.50.1",
    show_default=True,
    help="The router's hotspot address as it appears in link-login-only.",
)
@click.option("--timeout", default=3.0, show_default=True, help="Seconds per RADIUS try.")
def simulate(
    nas_id: str,
    secret: str,
    mac: str,
    portal: str,
    radius_address: tuple[str, int],
    voucher: str | None,
    octets: int,
    minutes: int,
    hotspot_host: str,
    timeout: float,
) -> None:
    """Play a MikroTik hotspot and a phone: router page, splash, accept, /login,
    Access-Request (CHAP + Message-Authenticator), Accounting Start/Interim/Stop."""
    options = Options(
        nas_id=nas_id,
        secret=secret,
        mac=mac,
        portal=portal,
        radius_host=radius_address[0],
        radius_port=radius_address[1],
        voucher=voucher,
        bytes=octets,
        minutes=minutes,
        hotspot_host=hotspot_host,
        timeout=timeout,
    )
    sys.exit(run(options, say=click.echo))


def simulate_line(*, nas_id: str, secret: str, portal: str, radius: str = "127.0.0.1:1812") -> str:
    """A ready-to-paste simulate command for the demo's output."""
    return (
        f"wifidesa simulate --nas-id {nas_id} --secret {secret} --portal {portal} --radius {radius}"
    )
