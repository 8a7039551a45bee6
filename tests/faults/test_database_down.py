"""PostgreSQL stopped under load: nothing is answered that is not stored, logins fail
closed, one log line says why, and the server recovers by itself when it returns.

The test runs its own PostgreSQL cluster (`PrivateCluster`) and crashes it with
``pg_ctl stop -m immediate`` while `wifidesa radius`, a separate process, is under an
accounting load from a router that retransmits what goes unanswered.

A login while the database is down gets no answer rather than an Access-Reject: the
router then tries its next RADIUS server (README, "A second RADIUS server") and repeats
the request, which succeeds as soon as the database is back; a Reject would be final,
turn a fault into "wrong password" on the resident's screen, and be cached for the
repeats (RFC 5080). It is also what RFC 2866 asks of accounting, so both ports behave
alike: no database, no answer.
"""

from __future__ import annotations

import time

import pytest
from pyrad import packet
from pyrad.client import Timeout

from tests.databases import migrated_settings
from tests.faults.cluster import PrivateCluster, require_private_cluster
from tests.faults.load import (
    MAC_RE,
    SCALE,
    AccountingLoad,
    assert_stops_stored_once,
    problem_lines,
    stop_packets,
    wait_for_line,
)
from tests.radius.mikrotik import Router
from tests.radius.process import free_port_pair, start_server

pytestmark = pytest.mark.slow
TOTAL = 1200 * SCALE
OUTAGE = 3.0 if SCALE == 1 else 10.0  # seconds the database stays down


@pytest.fixture
def cluster():
    private = PrivateCluster(require_private_cluster())
    private.start()
    yield private
    private.remove()


@pytest.fixture
def settings(cluster, tmp_path):  # overrides the shared fixture: this cluster only
    return migrated_settings(tmp_path, cluster.url)


def test_database_stopped_under_load_then_back(
    cluster, settings, make_gateway, make_grant, db, tmp_path
):
    gateway = make_gateway()
    macs = [f"02:00:00:00:01:{n:02X}" for n in range(3)]
    grants = [make_grant(gateway, mac) for mac in macs]
    port, log = free_port_pair(), tmp_path / "radius.log"
    nas = Router(port, port + 1, gateway.secret.encode(), gateway.nas_identifier)
    packets = stop_packets(nas, TOTAL)

    def login(n: int) -> packet.AuthPacket:
        return nas.access_request(grants[n].username, grants[n].password, mac=macs[n])

    server = start_server(settings, port, log=log)
    try:
        with AccountingLoad(port + 1, gateway.secret.encode(), packets) as load:
            assert load.wait(TOTAL // 5, timeout=30 * SCALE), "the server never answered"
            assert nas.send(login(0)).code == packet.AccessAccept

            cluster.stop("immediate")
            down = time.monotonic()
            router = nas.client(timeout=1.0, retries=1)
            waiting_login = login(1)
            with pytest.raises(Timeout):  # no Accept, no Reject
                router.SendPacket(waiting_login)
            time.sleep(max(0.0, down + OUTAGE - time.monotonic()))
            up = time.monotonic()
            cluster.start()

            # the router repeats the login (same Identifier and authenticator): now accepted
            router.timeout, router.retries = 2.0, 3
            assert router.SendPacket(waiting_login).code == packet.AccessAccept
            router._CloseSocket()
            assert nas.send(login(2)).code == packet.AccessAccept
            assert load.wait(TOTAL, timeout=40 * SCALE), (
                f"{TOTAL - len(load.answered)} never answered"
            )
        assert wait_for_line(log, "database writes succeed again", timeout=15)
        assert server.poll() is None, "the server died"
    finally:
        server.terminate()
        server.wait(10)

    # no Accounting-Response while the database was down (after the batch in hand)
    assert load.sent_between(down + 0.5, up) > 50
    assert load.answered_between(down + 0.5, up) == 0
    assert load.resent > 0
    # every request was answered once the database was back, and stored exactly once
    with db() as session:
        assert_stops_stored_once(session, TOTAL)
    # one line when the database went, one when it came back; no personal data, no traceback
    text = log.read_text()
    problems = problem_lines(text)
    assert len(problems) == 2, problems
    assert "ERROR radius.outages database error" in problems[0]
    assert "WARNING radius.outages database writes succeed again" in problems[1]
    assert "Traceback" not in text and "10.5.88." not in text and not MAC_RE.search(text)


def test_server_started_before_the_database_serves_once_it_answers(
    cluster, settings, make_gateway, make_grant, tmp_path
):
    """A boot where `wifidesa radius` starts before PostgreSQL: it listens, answers no
    one while there is no database (no crash loop under systemd), then serves."""
    gateway = make_gateway()
    grant = make_grant(gateway, "02:00:00:00:02:01")
    port, log = free_port_pair(), tmp_path / "radius.log"
    nas = Router(port, port + 1, gateway.secret.encode(), gateway.nas_identifier)
    cluster.stop("fast")
    server = start_server(settings, port, log=log)
    try:
        deadline = time.monotonic() + 30
        while "RADIUS listening" not in log.read_text() and time.monotonic() < deadline:
            assert server.poll() is None, log.read_text()
            time.sleep(0.1)
        request = nas.access_request(grant.username, grant.password, mac="02:00:00:00:02:01")
        router = nas.client(timeout=1.0, retries=1)
        with pytest.raises(Timeout):
            router.SendPacket(request)
        assert server.poll() is None, log.read_text()
        cluster.start()
        router.timeout, router.retries = 2.0, 5
        assert router.SendPacket(request).code == packet.AccessAccept
        router._CloseSocket()
    finally:
        server.terminate()
        server.wait(10)
    text = log.read_text()
    assert "no database at start" in text and "Traceback" not in text
