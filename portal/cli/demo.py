"""``wifidesa demo``: the whole product on one machine, with Kabupaten Paser as example.

The demo always uses SQLite in the data folder, so it never touches a production
database named by WIFIDESA_DATABASE_URL.
"""

from __future__ import annotations

import importlib.util
import os
from dataclasses import replace
from typing import Protocol

import click

from portal.cli.common import app_context, load_settings, utcnow
from portal.cli.serve import run_portal
from portal.config import Settings
from portal.database import db
from portal.domain.demo import DemoSeed, seed_demo
from portal.migrations import upgrade_database


class Stoppable(Protocol):
    def stop(self) -> None: ...


def start_radius(settings: Settings, host: str, port: int) -> Stoppable | None:
    """Start the RADIUS server for the demo (auth on ``port``, accounting on ``port + 1``).

    Returns a handle whose ``stop()`` ends it, or None when this build has no RADIUS
    server yet. Hook for the RADIUS server: start ``radius.server`` here.
    """
    if importlib.util.find_spec("radius.server") is None:
        return None
    return None


def demo_settings() -> Settings:
    """Settings from the environment, but with SQLite in the data folder."""
    settings = load_settings()
    return replace(settings, database_url="")


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8080, show_default=True)
@click.option("--radius-port", type=click.IntRange(1, 65534), default=1812, show_default=True)
def demo(host: str, port: int, radius_port: int) -> None:
    """Set up a demo regency and run the portal until Ctrl-C.

    Creates (or reuses) SQLite in WIFIDESA_DATA_DIR with Kabupaten Paser, three of its
    villages, a gateway each on 127.0.0.1, a policy, terms and announcements, and two
    admins whose new random passwords are printed on every start.
    """
    portal_url = f"http://{url_host(host)}:{port}"
    settings = replace(demo_settings(), public_url=portal_url)
    if os.environ.get("WIFIDESA_DATABASE_URL"):
        click.echo("Note: the demo ignores WIFIDESA_DATABASE_URL and uses SQLite.", err=True)
    with app_context(settings) as app:
        upgrade_database(app)
        seed = seed_demo(db.session, now=utcnow())
        db.session.commit()
        click.echo(banner(seed, settings, portal_url, host, radius_port))
    radius = start_radius(settings, host, radius_port)
    if radius is None:
        click.echo("RADIUS: not part of this build yet; the portal runs alone.")
    try:
        run_portal(settings, host=host, port=port, workers=2)
    finally:
        if radius is not None:
            radius.stop()


def url_host(host: str) -> str:
    """How a browser on this machine reaches a listening address (0.0.0.0 -> 127.0.0.1)."""
    if host in ("", "0.0.0.0", "::"):  # noqa: S104 (recognising, not binding)
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


def banner(seed: DemoSeed, settings: Settings, portal_url: str, host: str, port: int) -> str:
    """What to open and the credentials, as printed when the demo starts."""
    lines = [
        "",
        "Wifi Desa demo: Kabupaten Paser",
        f"  data folder : {settings.data_dir}",
        f"  portal      : {portal_url}/",
        f"  admin login : {portal_url}/admin/login",
        f"  health      : {portal_url}/healthz",
        "",
        "Admins (new passwords on every start):",
    ]
    lines += [
        f"  {admin.username:<18} {admin.role:<8} {admin.scope_kode:<14} password: {admin.password}"
        for admin in seed.admins
    ]
    lines += ["", "Gateways (simulate a phone logging in through each):"]
    for gateway in seed.gateways:
        lines.append(f"  {gateway.nas_identifier} ({gateway.village_name})")
        lines.append(
            f"    wifidesa simulate --nas-id {gateway.nas_identifier} --secret {gateway.secret}"
            f" --portal {portal_url} --radius {url_host(host)}:{port}"
        )
    lines += ["", "Stop with Ctrl-C.", ""]
    return "\n".join(lines)
