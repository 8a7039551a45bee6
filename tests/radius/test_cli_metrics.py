"""The command-line entry points and the metrics endpoint."""

from __future__ import annotations

import socket
import urllib.request

from click.testing import CliRunner

from radius.cli import commands
from radius.metrics import Metrics


def test_commands_are_exported_for_the_wifidesa_group():
    assert sorted(command.name for command in commands) == ["close-stale", "radius"]
    radius = next(command for command in commands if command.name == "radius")
    result = CliRunner().invoke(radius, ["--help"])
    assert result.exit_code == 0
    assert "--acct-port" in result.output and "--metrics-port" in result.output


def test_close_stale_runs_against_the_configured_database(settings):
    close_stale = next(command for command in commands if command.name == "close-stale")
    env = {
        "WIFIDESA_DATABASE_URL": settings.database_url,
        "WIFIDESA_SECRET_KEY": settings.secret_key,
        "WIFIDESA_DATA_DIR": str(settings.data_dir),
    }
    result = CliRunner().invoke(close_stale, [], env=env)
    assert result.exit_code == 0, result.output
    assert "closed 0 stale session(s)" in result.output


def test_metrics_are_served_on_loopback():
    metrics = Metrics()
    metrics.count("access", "accept")
    metrics.drop("unknown-client")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = metrics.serve(port)
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
            body = response.read().decode()
    finally:
        server.shutdown()
        server.server_close()
    assert 'wifidesa_radius_requests_total{kind="access",result="accept"} 1.0' in body
    assert 'wifidesa_radius_dropped_total{reason="unknown-client"} 1.0' in body
