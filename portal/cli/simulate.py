"""``wifidesa simulate``: play a RouterOS 7 hotspot (the twin, `portal.simulator.routeros`)
and a phone against a running portal and RADIUS server, through a simulated link.
Register with ``main.add_command(simulate)``."""

from __future__ import annotations

import sys

import click

from portal.simulator.routeros.session import TwinOptions
from portal.simulator.routeros.session import simulate as run_twin


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
@click.option(
    "--splash",
    type=click.Choice(["router", "portal"]),
    default="router",
    show_default=True,
    help="Where the residents' page lives: the router's own pages, or today's portal splash.",
)
@click.option("--token", default="", help="The gateway's heartbeat token (the fetch records it).")
@click.option("--bytes", "octets", default=50_000_000, show_default=True, type=click.IntRange(0))
@click.option(
    "--hotspot-host",
    default="10.5.50.1",
    show_default=True,
    help="The router's hotspot address as it appears in link-login-only.",
)
@click.option("--timeout", default=3.0, show_default=True, help="Seconds per RADIUS try.")
@click.option("--link-delay-ms", default=0.0, show_default=True, type=click.FloatRange(0, 10_000),
              help="One-way delay of the village's link to the central server.")  # fmt: skip
@click.option("--link-loss", default=0.0, show_default=True, type=click.FloatRange(0, 0.9),
              help="Share of packets the link loses.")  # fmt: skip
@click.option("--outage-start-s", default=None, type=click.FloatRange(0),
              help="Router seconds after the page fetch when the link goes down.")  # fmt: skip
@click.option("--outage-s", default=0.0, show_default=True, type=click.FloatRange(0),
              help="How long the link stays down (router seconds).")  # fmt: skip
@click.option("--clock-scale", default=1.0, show_default=True, type=click.FloatRange(0.1, 1000),
              help="Router seconds per real second (a 30-minute outage in seconds).")  # fmt: skip
def simulate(
    nas_id: str,
    secret: str,
    mac: str,
    portal: str,
    radius_address: tuple[str, int],
    voucher: str | None,
    splash: str,
    token: str,
    octets: int,
    hotspot_host: str,
    timeout: float,
    link_delay_ms: float,
    link_loss: float,
    outage_start_s: float | None,
    outage_s: float,
    clock_scale: float,
) -> None:
    """Play a MikroTik hotspot (the RouterOS twin, behind a simulated link) and a phone:
    the router fetches its pages, the phone gets online (router pages or the portal's
    splash), the router asks RADIUS (CHAP + Message-Authenticator), status page,
    Accounting Start/Interim/Stop. The last line: online in <s> s, <n> round trips."""
    options = TwinOptions(
        nas_id=nas_id,
        secret=secret,
        portal=portal,
        radius=radius_address,
        mac=mac,
        flow=splash,
        voucher=voucher,
        token=token,
        hotspot_host=hotspot_host,
        delay_ms=link_delay_ms,
        loss=link_loss,
        outage_start_s=outage_start_s,
        outage_s=outage_s,
        scale=clock_scale,
        timeout=timeout,
        bytes=octets,
    )
    sys.exit(run_twin(options, say=click.echo))


def simulate_line(*, nas_id: str, secret: str, portal: str, radius: str = "127.0.0.1:1812") -> str:
    """A ready-to-paste simulate command for the demo's output."""
    return (
        f"wifidesa simulate --nas-id {nas_id} --secret {secret} --portal {portal} --radius {radius}"
    )
