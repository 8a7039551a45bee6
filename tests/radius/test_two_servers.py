"""Two `wifidesa radius` processes on one database count every update exactly once.

A router configured with two RADIUS servers fails over when an answer is slow
(reference mikrotik-hotspot.md §8.3), so one Start, Interim-Update or Stop can reach both
processes at about the same time. Whatever the order, each session must end with the
counters of its last update, each device-day and rollup with the sum of its sessions,
every answered Stop with a closed session, and a duplicate Start must be an ordinary
duplicate (no "database error" in either log). On SQLite (one file) and PostgreSQL.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal.models import AccountingSession
from tests.radius.mikrotik import Router
from tests.radius.servers import OUTAGE, Duplex, reconcile, two_servers

pytestmark = pytest.mark.slow
START, STOP, INTERIM = 1, 2, 3
SESSIONS = 40


def packets(nas: Router, status: int, first: int, count: int, step: int) -> list[bytes]:
    """One request per session ``first`` … ``first + count - 1`` at ``step`` (0: Start),
    each with its own Identifier; counters grow with the step."""
    out = []
    for n in range(first, first + count):
        pkt = nas.accounting_request(
            status,
            f"S{n:06d}",
            mac=f"02:00:00:01:{n // 256:02X}:{n % 256:02X}",
            seconds=60 * step,
            input_octets=(1_000 + n) * step,
            output_octets=(50_000 + n) * step,
            terminate_cause=1 if status == STOP else None,
        )
        pkt.id = n - first
        out.append(pkt.RequestPacket())
    return out


def counters(n: int, step: int) -> tuple[int, int, int]:
    return 60 * step, (1_000 + n) * step, (50_000 + n) * step


def test_the_same_requests_at_both_servers_count_once(settings, make_gateway, db):
    gateway = make_gateway()
    nas = Router(0, 0, gateway.secret.encode(), gateway.nas_identifier)
    with two_servers(settings) as servers:
        duplex = Duplex(servers, gateway.secret.encode())
        try:
            rounds = [(START, 0), (INTERIM, 1), (INTERIM, 2), (STOP, 3)]
            for status, step in rounds:
                answered = duplex.both(packets(nas, status, 0, SESSIONS, step))
                assert all(a == {0, 1} for a in answered), (status, answered)
        finally:
            duplex.close()
    logs = "".join(s.log.read_text() for s in servers)
    assert OUTAGE not in logs and "implausible" not in logs
    with db() as session:
        last = {f"S{n:06d}": counters(n, 3) for n in range(SESSIONS)}
        assert reconcile(session, last, set(last)) == []


def test_failover_with_a_timeout_shorter_than_the_answer_counts_once(settings, make_gateway, db):
    gateway = make_gateway()
    nas = Router(0, 0, gateway.secret.encode(), gateway.nas_identifier)
    sessions, steps = 120, 4
    with two_servers(settings) as servers:
        duplex = Duplex(servers, gateway.secret.encode())
        try:
            by_server = [0, 0]
            for step in range(steps + 1):
                status = START if step == 0 else STOP if step == steps else INTERIM
                # the router's timeout: shorter than most answers, so many requests
                # reach both servers, some the second one first
                first = duplex.failover(packets(nas, status, 0, sessions, step), timeout=0.004)
                assert None not in first, f"unanswered at step {step}"
                for server in first:
                    by_server[server] += 1
        finally:
            duplex.close()
    # The failover happened: the second server was sent requests the first had too (which
    # one answers first depends on the machine's load, so that is not asserted).
    assert sum(by_server) == sessions * (steps + 1) and duplex.sent[1] > 0, (by_server, duplex.sent)
    logs = "".join(s.log.read_text() for s in servers)
    assert OUTAGE not in logs and "implausible" not in logs
    with db() as session:
        last = {f"S{n:06d}": counters(n, steps) for n in range(sessions)}
        assert reconcile(session, last, set(last)) == []
        assert (
            session.scalar(sa.select(sa.func.count()).where(AccountingSession.stopped_at.is_(None)))
            == 0
        )
