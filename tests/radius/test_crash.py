"""SIGKILL during an accounting load: every answered request is stored exactly once.

The server runs as a separate process. A load generator keeps requests in flight
(each a Stop for its own session, so each is one record), retransmits what was not
answered like a router would, kills the server twice mid-load and restarts it.
"""

from __future__ import annotations

import hashlib
import os
import signal
import socket
import subprocess
import sys
import time

import pytest
import sqlalchemy as sa

from portal.models import AccountingSession, DeviceDay, UsageDaily
from tests.radius.mikrotik import Router

pytestmark = pytest.mark.slow
TOTAL = 1500


def free_port_pair() -> int:
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as a:
            a.bind(("127.0.0.1", 0))
            port = a.getsockname()[1]
            try:
                with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as b:
                    b.bind(("127.0.0.1", port + 1))
                return port
            except OSError:
                continue


def start_server(settings, port: int) -> subprocess.Popen:
    """The server in its own process; its output goes to ``<data>/radius.log``, which
    the privacy scan reads after the suite."""
    env = {
        **os.environ,
        "WIFIDESA_DATABASE_URL": settings.database_url,
        "WIFIDESA_SECRET_KEY": settings.secret_key,
        "WIFIDESA_DATA_DIR": str(settings.data_dir),
    }
    code = "from radius.cli import radius_command; radius_command()"
    with (settings.data_dir / "radius.log").open("ab") as log:
        return subprocess.Popen(  # noqa: S603
            [sys.executable, "-c", code, "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def test_sigkill_during_accounting_load_loses_and_duplicates_nothing(settings, make_gateway, db):
    gateway = make_gateway()
    port = free_port_pair()
    nas = Router(port, port + 1, gateway.secret.encode(), gateway.nas_identifier)
    secret = gateway.secret.encode()
    requests = {}
    for n in range(TOTAL):
        mac = f"02:00:00:00:{n // 256:02X}:{n % 256:02X}"
        pkt = nas.accounting_request(
            2, f"S{n:07d}", mac=mac, seconds=60, output_octets=1000 + n, terminate_cause=1
        )
        requests[n] = pkt.RequestPacket()  # fixed bytes: a resend is an identical packet

    socks = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(4)]
    for sock in socks:
        sock.setblocking(False)
    acked: set[int] = set()
    in_flight: dict[tuple[int, int], tuple[int, float]] = {}  # (sock, id) -> (n, sent at)
    waiting = list(range(TOTAL))
    server = start_server(settings, port)
    kills, deadline = 0, time.monotonic() + 90
    try:
        while len(acked) < TOTAL and time.monotonic() < deadline:
            now = time.monotonic()
            if kills < 2 and len(acked) > (kills + 1) * TOTAL // 3:
                server.send_signal(signal.SIGKILL)
                server.wait()
                kills += 1
                server = start_server(settings, port)
            for key, (n, sent) in list(in_flight.items()):
                if now - sent > 0.5:  # the router's retransmit timer
                    del in_flight[key]
                    waiting.append(n)
            while waiting and len(in_flight) < 128:
                n = waiting.pop()
                index = n % len(socks)
                data = requests[n]
                if (index, data[1]) in in_flight:
                    waiting.insert(0, n)
                    break
                socks[index].sendto(data, ("127.0.0.1", port + 1))
                in_flight[(index, data[1])] = (n, now)
            progressed = False
            for index, sock in enumerate(socks):
                try:
                    reply = sock.recv(4096)
                except BlockingIOError:
                    continue
                entry = in_flight.pop((index, reply[1]), None)
                if entry is None:
                    continue
                request = requests[entry[0]]
                expected = hashlib.md5(  # noqa: S324
                    reply[:4] + request[4:20] + reply[20:] + secret
                ).digest()
                assert reply[0] == 5 and reply[4:20] == expected
                acked.add(entry[0])
                progressed = True
            if not progressed:
                time.sleep(0.001)
    finally:
        server.send_signal(signal.SIGKILL)
        server.wait()
        for sock in socks:
            sock.close()

    assert kills == 2 and len(acked) == TOTAL
    with db() as session:
        rows = session.execute(
            sa.select(AccountingSession.acct_session_id, AccountingSession.output_octets)
        ).all()
        stored = {session_id: octets for session_id, octets in rows}
        assert len(rows) == len(stored) == TOTAL
        assert all(stored[f"S{n:07d}"] == 1000 + n for n in acked)
        total = sum(1000 + n for n in range(TOTAL))
        assert session.scalar(sa.select(sa.func.sum(UsageDaily.bytes_down))) == total
        assert session.scalar(sa.select(sa.func.sum(DeviceDay.bytes_total))) == total
        assert session.scalar(sa.select(sa.func.sum(UsageDaily.sessions))) == TOTAL
