"""Two `wifidesa radius` processes on one database, and a router that talks to both.

`two_servers` starts the processes (each with its own log) and waits until both listen.
`Duplex` sends one request's bytes over UDP on 127.0.0.1, either to both servers at
once (what a router that fails over produces when both answer late) or to the first
with a timeout shorter than its answer and then to the second (RouterOS tries the
listed RADIUS servers in order, reference §8.3). `reconcile` checks the database
against what the routers were answered.
"""

from __future__ import annotations

import hashlib
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from portal.config import Settings
from portal.models import AccountingSession, DeviceDay, UsageDaily, UsageHourly
from tests.radius.process import free_port_pair, start_server

OUTAGE = "database error"


@dataclass
class Server:
    port: int
    log: Path


@contextmanager
def two_servers(settings: Settings, *, extra: list[str] | None = None) -> Iterator[list[Server]]:
    """Start two server processes on the settings' database; stopped (SIGTERM) after."""
    servers, processes = [], []
    try:
        for name in ("a", "b"):
            port = free_port_pair()
            log = settings.data_dir / f"radius-{name}.log"
            settings.data_dir.mkdir(parents=True, exist_ok=True)
            processes.append(start_server(settings, port, log=log, extra=extra))
            servers.append(Server(port, log))
        deadline = time.monotonic() + 30
        while not all(s.log.exists() and "RADIUS listening" in s.log.read_text() for s in servers):
            assert time.monotonic() < deadline, "a RADIUS process did not start"
            assert all(p.poll() is None for p in processes), "a RADIUS process ended"
            time.sleep(0.1)
        yield servers
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(10)
            except Exception:
                process.kill()
                process.wait()


class Duplex:
    """A router's socket pair (one per server) for accounting requests given as bytes."""

    def __init__(self, servers: list[Server], secret: bytes) -> None:
        self.addresses = [("127.0.0.1", s.port + 1) for s in servers]
        self.secret = secret
        self.socks = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in servers]
        #: Requests sent to each server (a failover sends to the second after a timeout).
        self.sent = [0] * len(servers)
        for sock in self.socks:
            sock.bind(("127.0.0.1", 0))
            sock.setblocking(False)

    def close(self) -> None:
        for sock in self.socks:
            sock.close()

    def _answered(self, request: bytes, reply: bytes) -> bool:
        expected = hashlib.md5(  # noqa: S324 (RFC 2866's Response Authenticator)
            reply[:4] + request[4:20] + reply[20:] + self.secret
        ).digest()
        return reply[0] == 5 and reply[1] == request[1] and reply[4:20] == expected

    def both(self, requests: list[bytes], *, seconds: float = 20.0) -> list[set[int]]:
        """Send every request to both servers at once; returns, per request, which
        servers answered it (resending to the silent ones every half second)."""
        answered: list[set[int]] = [set() for _ in requests]
        by_id = {}
        for index, request in enumerate(requests):
            assert request[1] not in by_id, "one Identifier per request in a round"
            by_id[request[1]] = index
        deadline, resend = time.monotonic() + seconds, 0.0
        while any(len(a) < len(self.socks) for a in answered) and time.monotonic() < deadline:
            if time.monotonic() >= resend:
                for index, request in enumerate(requests):
                    for server, sock in enumerate(self.socks):
                        if server not in answered[index]:
                            sock.sendto(request, self.addresses[server])
                resend = time.monotonic() + 0.5
            self._collect(requests, by_id, answered)
        return answered

    def failover(
        self, requests: list[bytes], *, timeout: float, seconds: float = 20.0
    ) -> list[int | None]:
        """Send each request to the first server; when no answer came within
        ``timeout``, to the second; then to both alternately until one answers.
        Returns per request the server whose answer came first (None: no answer)."""
        answered: list[set[int]] = [set() for _ in requests]
        first: list[int | None] = [None] * len(requests)
        by_id = {request[1]: index for index, request in enumerate(requests)}
        assert len(by_id) == len(requests), "one Identifier per request in a round"
        tries = [0] * len(requests)
        next_try = [0.0] * len(requests)
        deadline = time.monotonic() + seconds
        while any(f is None for f in first) and time.monotonic() < deadline:
            now = time.monotonic()
            for index, request in enumerate(requests):
                if first[index] is None and now >= next_try[index]:
                    server = tries[index] % len(self.socks)
                    self.socks[server].sendto(request, self.addresses[server])
                    self.sent[server] += 1
                    tries[index] += 1
                    next_try[index] = now + timeout
            for index in self._collect(requests, by_id, answered):
                if first[index] is None:
                    first[index] = min(answered[index])
        return first

    def _collect(self, requests, by_id, answered) -> list[int]:
        got = []
        progressed = False
        for server, sock in enumerate(self.socks):
            while True:
                try:
                    reply = sock.recv(4096)
                except BlockingIOError:
                    break
                index = by_id.get(reply[1])
                if index is not None and self._answered(requests[index], reply):
                    answered[index].add(server)
                    got.append(index)
                    progressed = True
        if not progressed:
            time.sleep(0.0005)
        return got


def reconcile(session, last: dict[str, tuple[int, int, int]], closed: set[str]) -> list[str]:
    """Differences between the database and what the routers were answered: each
    session's counters equal its last update (``last``: seconds, input, output), each
    device-day and rollup the sum of its sessions, each answered Stop (``closed``)
    closed. An empty list means exact."""
    problems = []
    rows = session.execute(
        sa.select(
            AccountingSession.acct_session_id,
            AccountingSession.session_seconds,
            AccountingSession.input_octets,
            AccountingSession.output_octets,
            AccountingSession.stopped_at,
        )
    ).all()
    stored = {row[0]: row for row in rows}
    if len(rows) != len(last):
        problems.append(f"{len(rows)} sessions stored, {len(last)} sent")
    for sid, counters in last.items():
        row = stored.get(sid)
        if row is None or tuple(row[1:4]) != counters:
            problems.append(f"session {sid}: {row and tuple(row[1:4])} != {counters}")
        elif sid in closed and row[4] is None:
            problems.append(f"session {sid}: its Stop was answered, it is open")
    per_device = session.execute(
        sa.select(
            AccountingSession.device,
            sa.func.sum(AccountingSession.input_octets + AccountingSession.output_octets),
            sa.func.sum(AccountingSession.session_seconds),
            sa.func.count(),
        ).group_by(AccountingSession.device)
    ).all()
    days = {
        d.device: (d.bytes_total, d.seconds_total, d.sessions)
        for d in session.scalars(sa.select(DeviceDay))
    }
    for device, octets, seconds, count in per_device:
        if days.get(device) != (octets, seconds, count):
            problems.append(f"device-day {days.get(device)} != sessions {(octets, seconds, count)}")
    if len(days) != len(per_device):
        problems.append(f"{len(days)} device-days for {len(per_device)} devices")
    totals = session.execute(
        sa.select(
            sa.func.count(),
            sa.func.coalesce(sa.func.sum(AccountingSession.input_octets), 0),
            sa.func.coalesce(sa.func.sum(AccountingSession.output_octets), 0),
            sa.func.coalesce(sa.func.sum(AccountingSession.session_seconds), 0),
            sa.func.count(sa.distinct(AccountingSession.device)),
        )
    ).one()
    for model in (UsageDaily, UsageHourly):
        rollup = session.execute(
            sa.select(
                sa.func.coalesce(sa.func.sum(model.sessions), 0),
                sa.func.coalesce(sa.func.sum(model.bytes_up), 0),
                sa.func.coalesce(sa.func.sum(model.bytes_down), 0),
                sa.func.coalesce(sa.func.sum(model.seconds_online), 0),
                sa.func.coalesce(sa.func.sum(model.devices), 0),
            )
        ).one()
        if tuple(rollup) != tuple(totals):
            problems.append(f"{model.__tablename__} {tuple(rollup)} != sessions {tuple(totals)}")
    return problems
