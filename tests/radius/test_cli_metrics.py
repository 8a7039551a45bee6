"""The command-line entry points and the metrics endpoint."""

from __future__ import annotations

import socket
import urllib.request
from datetime import timedelta

from click.testing import CliRunner
from pyrad import packet

from portal.cli.radius import commands
from portal.config import utcnow
from portal.models import AccountingSession
from radius.metrics import Metrics
from tests.radius.mikrotik import Router
from tests.radius.process import free_port_pair, start_server
from tests.radius.test_coa import open_session


def test_commands_are_exported_for_the_wifidesa_group():
    assert sorted(command.name for command in commands) == ["close-stale", "radius"]
    radius = next(command for command in commands if command.name == "radius")
    result = CliRunner().invoke(radius, ["--help"])
    assert result.exit_code == 0
    assert "--acct-port" in result.output and "--metrics-port" in result.output


def test_close_stale_closes_what_missed_three_interims(settings, db, make_gateway):
    gateway = make_gateway()
    quiet = open_session(db, gateway)  # its last update 20 minutes ago (interim: 5 min)
    with db() as session:
        row = session.get(AccountingSession, quiet.id)
        row.updated_at = row.started_at = utcnow() - timedelta(minutes=20)
        session.commit()
    fresh = open_session(db, gateway, acct_session_id="80100015")
    close_stale = next(command for command in commands if command.name == "close-stale")
    env = {
        "WIFIDESA_DATABASE_URL": settings.database_url,
        "WIFIDESA_SECRET_KEY": settings.secret_key,
        "WIFIDESA_DATA_DIR": str(settings.data_dir),
    }
    result = CliRunner().invoke(close_stale, [], env=env)
    assert result.exit_code == 0, result.output
    assert "closed 1 stale session(s)" in result.output
    with db() as session:
        closed, still_open = (
            session.get(AccountingSession, quiet.id),
            session.get(AccountingSession, fresh.id),
        )
        assert (closed.terminate_cause, closed.framed_ip) == ("Stale-Session", None)
        assert closed.stopped_at == closed.updated_at
        assert still_open.stopped_at is None


def test_radius_listens_where_its_options_say(settings, make_gateway):
    """--host, --port and --acct-port as given (accounting not on port + 1 here)."""
    gateway = make_gateway()
    auth_port, acct_port = free_port_pair(), free_port_pair()
    server = start_server(
        settings, auth_port, extra=["--host", "127.0.0.1", "--acct-port", str(acct_port)]
    )
    try:
        nas = Router(auth_port, acct_port, gateway.secret.encode(), gateway.nas_identifier)
        nas.retries, nas.timeout = 20, 0.5  # until the process listens
        reply = nas.send(nas.accounting_request(7))  # Accounting-On
        assert reply is not None and reply.code == packet.AccountingResponse
        beside = Router(auth_port, auth_port + 1, gateway.secret.encode(), gateway.nas_identifier)
        assert beside.send(beside.accounting_request(7), timeout=0.5) is None
    finally:
        server.terminate()
        server.wait(10)


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
