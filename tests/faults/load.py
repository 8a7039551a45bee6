"""Accounting load as routers send it: many requests in flight, retransmitted until answered.

`AccountingLoad` runs on its own thread. It keeps up to ``window`` requests in flight over
a few sockets, and resends a request that got no answer within ``retransmit`` seconds the
way RFC 2866 §4.1 says a router does: with Acct-Delay-Time raised, so with a new
Identifier and a new Request Authenticator (the server's duplicate cache cannot match it;
only idempotent storage keeps it from counting twice). Every Accounting-Response is
checked against its request and the secret; the time of each answer is recorded.

`SCALE` (``WIFIDESA_FAULTS_SCALE``, default 1) multiplies the fault tests' sizes and time
limits: CI runs them small; `bench/faults.py` runs them at the reference's sizes.
"""

from __future__ import annotations

import hashlib
import os
import re
import socket
import threading
import time
from collections import deque
from pathlib import Path

import sqlalchemy as sa
from pyrad.packet import AcctPacket

from portal.models import AccountingSession, UsageDaily
from tests.radius.mikrotik import Router

ACCOUNTING_RESPONSE = 5
MAC_RE = re.compile(r"([0-9A-F]{2}[:-]){5}[0-9A-F]{2}", re.IGNORECASE)
SCALE = max(1, int(os.environ.get("WIFIDESA_FAULTS_SCALE", "1")))


class AccountingLoad:
    """Sends ``packets`` to 127.0.0.1:``port`` until each is answered (or ``stop``)."""

    def __init__(
        self,
        port: int,
        secret: bytes,
        packets: list[AcctPacket],
        *,
        sockets: int = 4,
        window: int = 64,
        retransmit: float = 0.5,
        deadline: float = 60.0 * SCALE,
    ) -> None:
        self.port, self.secret, self.packets = port, secret, packets
        self.window, self.retransmit = window, retransmit
        self.answered: dict[int, float] = {}  # index -> monotonic time of the first answer
        self.sent: list[float] = []  # monotonic time of every datagram sent
        self.resent = 0
        self.strays = 0  # datagrams that answer none of the requests in flight
        self._deadline = time.monotonic() + deadline
        self._socks = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(sockets)]
        for sock in self._socks:
            sock.setblocking(False)
        self._waiting = deque(range(len(packets)))
        self._attempts = [0] * len(packets)
        # (socket, Identifier) -> (index, request bytes, sent at)
        self._in_flight: dict[tuple[int, int], tuple[int, bytes, float]] = {}
        self._next_id = [0] * sockets
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="accounting-load")

    def __enter__(self) -> AccountingLoad:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(10)
        for sock in self._socks:
            sock.close()

    def wait(self, answered: int, timeout: float) -> bool:
        """Wait until at least ``answered`` requests have been answered; True if so."""
        end = time.monotonic() + timeout
        while len(self.answered) < answered and time.monotonic() < end:
            time.sleep(0.02)
        return len(self.answered) >= answered

    def sent_between(self, start: float, end: float) -> int:
        return sum(1 for t in list(self.sent) if start <= t <= end)

    def answered_between(self, start: float, end: float) -> int:
        return sum(1 for t in list(self.answered.values()) if start <= t <= end)

    # -- the router ------------------------------------------------------------------------

    def _run(self) -> None:
        while not self._stopping.is_set() and time.monotonic() < self._deadline:
            if len(self.answered) == len(self.packets):
                return
            now = time.monotonic()
            for key, (index, _, sent) in list(self._in_flight.items()):
                if now - sent > self.retransmit:
                    del self._in_flight[key]
                    self._waiting.appendleft(index)  # a resend goes first, as on a router
            while self._waiting and len(self._in_flight) < self.window:
                index = self._waiting.popleft()
                if index not in self.answered:
                    self._send(index, now)
            if not self._receive():
                time.sleep(0.002)

    def _send(self, index: int, now: float) -> None:
        sock_no = index % len(self._socks)
        ident = self._next_id[sock_no]
        while (sock_no, ident) in self._in_flight:
            ident = (ident + 1) % 256
        self._next_id[sock_no] = (ident + 1) % 256
        packet = self.packets[index]
        if self._attempts[index]:
            self.resent += 1
        packet["Acct-Delay-Time"] = int(self._attempts[index] * self.retransmit)
        self._attempts[index] += 1
        packet.id, packet.authenticator = ident, None
        data = packet.RequestPacket()
        self._socks[sock_no].sendto(data, ("127.0.0.1", self.port))
        self._in_flight[(sock_no, ident)] = (index, data, now)
        self.sent.append(now)

    def _receive(self) -> bool:
        got = False
        for sock_no, sock in enumerate(self._socks):
            while True:
                try:
                    reply = sock.recv(4096)
                except OSError:
                    break
                entry = self._in_flight.get((sock_no, reply[1]))
                if entry is None:
                    self.strays += 1  # the answer to an earlier copy, already resent
                    continue
                index, request, _ = entry
                expected = hashlib.md5(  # noqa: S324
                    reply[:4] + request[4:20] + reply[20:] + self.secret
                ).digest()
                if reply[0] != ACCOUNTING_RESPONSE or reply[4:20] != expected:
                    self.strays += 1  # an earlier copy's answer, its Identifier reused since
                    continue
                del self._in_flight[(sock_no, reply[1])]
                self.answered.setdefault(index, time.monotonic())
                got = True
        return got


def stop_packets(nas: Router, total: int) -> list[AcctPacket]:
    """``total`` Accounting-Stops, one per session ``S0000000``…, each with 60 s and
    ``1000 + n`` octets down, from a different device: the fault tests' load."""
    return [
        nas.accounting_request(
            2,  # Stop
            f"S{n:07d}",
            mac=f"02:00:00:00:{n // 256:02X}:{n % 256:02X}",
            seconds=60,
            output_octets=1000 + n,
            terminate_cause=1,
        )
        for n in range(total)
    ]


def assert_stops_stored_once(session, total: int) -> None:
    """Every request of `stop_packets(nas, total)` is stored exactly once with its counters,
    and the daily rollups add up to them."""
    rows = session.execute(
        sa.select(AccountingSession.acct_session_id, AccountingSession.output_octets)
    ).all()
    assert len(rows) == len({r[0] for r in rows}) == total
    assert {r[0]: r[1] for r in rows} == {f"S{n:07d}": 1000 + n for n in range(total)}
    assert session.scalar(sa.select(sa.func.sum(UsageDaily.sessions))) == total
    down = sum(1000 + n for n in range(total))
    assert session.scalar(sa.select(sa.func.sum(UsageDaily.bytes_down))) == down


def problem_lines(log_text: str) -> list[str]:
    """The WARNING and ERROR lines of a server log."""
    return [line for line in log_text.splitlines() if " WARNING " in line or " ERROR " in line]


def wait_for_line(log: Path, text: str, timeout: float) -> bool:
    """Whether ``text`` appears in the server log ``log`` within ``timeout`` seconds."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if text in log.read_text():
            return True
        time.sleep(0.05)
    return False
