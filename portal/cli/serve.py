"""``wifidesa serve``: the portal under gunicorn, started in-process."""

from __future__ import annotations

import socket
from typing import Any

import click
from flask import Flask
from gunicorn.app.base import BaseApplication

from portal import create_app
from portal.cli.common import EnvironmentProblem, check_database, engine_for, load_settings
from portal.config import Settings


class PortalServer(BaseApplication):
    """gunicorn running ``create_app(settings)`` with options given in code.

    Each worker builds its own app after the fork, so no database connection is
    shared between processes. The access log stays off: it would record client IPs;
    the error log goes through `portal.weblog.PrivateLogger`, which leaves them out.
    """

    def __init__(self, settings: Settings, options: dict[str, Any]) -> None:
        self.settings = settings
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for name, value in self.options.items():
            self.cfg.set(name, value)

    def load(self) -> Flask:
        return create_app(self.settings)


def gunicorn_options(host: str, port: int, workers: int) -> dict[str, Any]:
    """gunicorn settings for the portal (IPv6 hosts are bracketed in the bind address)."""
    bind_host = f"[{host}]" if ":" in host else host
    options: dict[str, Any] = {
        "bind": [f"{bind_host}:{port}"],
        "workers": workers,
        "accesslog": None,
        "errorlog": "-",
        # gunicorn's error log names the client of a malformed request: filtered out.
        "logger_class": "portal.weblog.PrivateLogger",
        "loglevel": "info",
        "proc_name": "wifidesa-portal",
        "timeout": 30,
        "graceful_timeout": 10,
    }
    return options


def run_portal(settings: Settings, *, host: str, port: int, workers: int) -> None:
    """Serve the portal in the foreground until SIGINT or SIGTERM.

    gunicorn's master handles the signals, stops its workers and raises SystemExit(0).
    """
    server = PortalServer(settings, gunicorn_options(host, port, workers))
    if "control_socket_disable" in server.cfg.settings:
        # gunicorn 24+ opens a control socket under $HOME by default; we need none.
        server.cfg.set("control_socket_disable", True)
    server.run()


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8080, show_default=True)
@click.option(
    "--workers", type=click.IntRange(1, 64), default=2, show_default=True, help="Worker processes."
)
def serve(host: str, port: int, workers: int) -> None:
    """Run the portal with gunicorn until Ctrl-C or SIGTERM.

    The database must exist (wifidesa init-db). Put a reverse proxy with TLS in
    front when the portal is reachable beyond the hotspot networks.
    """
    settings = load_settings()
    with engine_for(settings) as engine:
        check_database(settings, engine)
    require_free_port(host, port, socket.SOCK_STREAM, "the portal")
    run_portal(settings, host=host, port=port, workers=workers)


def require_free_port(host: str, port: int, kind: socket.SocketKind, what: str) -> None:
    """Raise EnvironmentProblem (one line, exit 1) when ``port`` on ``host`` is taken."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, kind) as probe:
        try:
            probe.bind((host, port))
        except OSError as error:
            raise EnvironmentProblem(
                f"{what} cannot listen on {host} port {port}: {error.strerror}"
                " (is another wifidesa running?)"
            ) from None
