"""``wifidesa demo``: the whole product on one machine, with Kabupaten Paser as example.

The demo always uses SQLite in the data folder, so it never touches a production
database named by WIFIDESA_DATABASE_URL.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from dataclasses import replace
from typing import Protocol

import click

from portal.cli.common import command, load_settings
from portal.cli.database import migrate
from portal.cli.serve import require_free_port, run_portal
from portal.cli.simulate import simulate_line
from portal.config import Settings
from portal.demo import DemoSeed, seed_demo
from portal.web.router_script import SECRET_PLACEHOLDER


class Stoppable(Protocol):
    def stop(self) -> None: ...


def start_radius(settings: Settings, host: str, port: int) -> Stoppable:
    """Start the RADIUS server for the demo (auth on ``port``, accounting on ``port + 1``).

    It runs as its own process (``wifidesa radius``), so gunicorn's forked workers
    inherit none of its sockets or threads. Returns a handle whose ``stop()`` ends it.
    """
    return _wifidesa(settings, "radius", "--host", host, "--port", str(port))


def start_notifier(settings: Settings) -> Stoppable:
    """Start the notification worker for the demo (``wifidesa notify --every 60``): the
    channels an officer sets in the console are used without a cron job."""
    return _wifidesa(settings, "notify", "--every", "60")


def _wifidesa(settings: Settings, *args: str) -> Stoppable:
    env = dict(os.environ)
    env.update(
        WIFIDESA_DATA_DIR=str(settings.data_dir),
        WIFIDESA_DATABASE_URL=settings.database_url,
        WIFIDESA_SECRET_KEY=settings.secret_key,
        WIFIDESA_PUBLIC_URL=settings.public_url,
    )
    command = [sys.executable, "-m", "portal.cli", *args]
    return RadiusProcess(subprocess.Popen(command, env=env))  # noqa: S603 (our own CLI)


class RadiusProcess:
    """The demo's RADIUS server process."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self.process = process

    def stop(self) -> None:
        """Ask the server to stop (SIGTERM) and wait; kill it after 10 seconds."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


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
    # Before anything changes: a second demo while the first runs must not hand out new
    # passwords for the first one's admins.
    require_free_port(host, port, socket.SOCK_STREAM, "the portal")
    for udp_port in (radius_port, radius_port + 1):
        require_free_port(host, udp_port, socket.SOCK_DGRAM, "the RADIUS server")
    migrate(settings)
    with command(settings) as run:
        seed = seed_demo(run.session, now=run.now)
    click.echo(banner(seed, settings, portal_url, host, radius_port))
    radius = start_radius(settings, host, radius_port)
    worker = start_notifier(settings)
    try:
        run_portal(settings, host=host, port=port, workers=2)
    finally:
        worker.stop()
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
    enrolling = [admin.username for admin in seed.admins if admin.enrols_totp]
    if enrolling:
        lines += ["", *TOTP_NOTE.format(names=", ".join(enrolling)).splitlines()]
    lines += ["", "Gateways (simulate a phone logging in through each):"]
    for gateway in seed.gateways:
        lines.append(f"  {gateway.nas_identifier} ({gateway.village_name})")
        radius = f"{url_host(host)}:{port}"
        line = simulate_line(
            nas_id=gateway.nas_identifier, secret=gateway.secret, portal=portal_url, radius=radius
        )
        lines.append(f"    {line}")
        lines.append(f"    RADIUS secret: {gateway.secret}")
    lines += ["", *SCRIPT_NOTE.format(placeholder=SECRET_PLACEHOLDER).splitlines()]
    lines += ["", "Stop with Ctrl-C.", ""]
    return "\n".join(lines)


TOTP_NOTE = """\
Two-step verification: {names} must set it up at the first login (every start).
  After the password the console shows a QR code and a key: scan it with an
  authenticator app (Aegis, FreeOTP, Google Authenticator) or type the key in, then
  enter the 6-digit code it shows. Without a phone, any TOTP tool works, e.g.
  oathtool --totp -b KEY"""

SCRIPT_NOTE = """\
Router scripts: Console > Router > (gateway) > "Unduh skrip RouterOS (.rsc)".
  The script carries the RADIUS secret only within 15 minutes of creating the gateway
  or pressing "Ganti rahasia" in the console; the demo made these gateways itself, so
  their scripts say {placeholder}: replace it with the gateway's RADIUS secret
  printed above (or press "Ganti rahasia" and download the script right after)."""
