"""Disconnect and CoA against a small test NAS: ACK, NAK with Error-Cause, TIMEOUT."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from pyrad import packet

from portal.config import utcnow
from portal.domain.clock import local_day
from portal.domain.network.policies import set_policy
from portal.domain.usage import orders
from portal.domain.usage.orders import GatewayUnreachable, SessionNotOpen
from portal.domain.usage.rollups import UsageBatch
from portal.domain.usage.sessions import save_sessions
from portal.domain.usage.updates import AccountingUpdate, record
from portal.models import AccountingSession, Gateway
from radius import coa
from radius.orders import send_kick
from tests.radius.mikrotik import DICTIONARY
from tests.radius.nas_listener import NasListener

SECRET = b"a-secret-for-the-test-nas"


def disconnect(session, row, *, now, timeout=2.0, retries=2) -> coa.CoaResult:
    """An admin's Putuskan as the console makes it, in one go: send the Disconnect-Request,
    then take the router's answer into account (a NAK 503 closes the session)."""
    gateway = session.get(Gateway, row.gateway_id)
    result = send_kick(gateway=gateway, session=row, timeout=timeout, retries=retries)
    answer = orders.Answer(result.outcome.value, result.error_cause)
    orders.apply_answer(session, row.id, orders.DISCONNECT, answer, now=now)
    return result


@pytest.fixture
def nas():
    listeners = []

    def make(mode="ack", **options):
        listener = NasListener(SECRET, mode=mode, **options)
        listeners.append(listener)
        return listener

    yield make
    for listener in listeners:
        listener.close()


def send(listener, *, disconnect=True, timeout=0.3):
    return coa.send(
        host="127.0.0.1",
        port=listener.port,
        secret=SECRET,
        dictionary=DICTIONARY,
        disconnect=disconnect,
        attributes=[("User-Name", "wd-0123456789abcdef"), ("Acct-Session-Id", "80100014")],
        timeout=timeout,
        retries=1,
    )


@pytest.mark.parametrize("disconnect", [True, False], ids=["disconnect", "coa"])
def test_ack(nas, disconnect):
    listener = nas("ack")
    result = send(listener, disconnect=disconnect)
    assert result == coa.CoaResult(coa.Outcome.ACK) and result.label == "ack"
    received = listener.received[0]
    assert received["code"] == (packet.DisconnectRequest if disconnect else packet.CoARequest)
    assert "Event-Timestamp" in received and "Message-Authenticator" in received


def test_nak_keeps_its_error_cause(nas):
    result = send(nas("nak", error_cause=503))
    assert result.outcome is coa.Outcome.NAK and result.error_cause == 503
    assert result.label == "nak-503"


def test_silence_is_a_timeout_after_retries(nas):
    listener = nas("silent")
    started = time.monotonic()
    result = send(listener, timeout=0.2)
    assert result.outcome is coa.Outcome.TIMEOUT
    assert len(listener.received) == 2  # sent, then resent once
    assert time.monotonic() - started >= 0.4


def test_forged_and_unsigned_answers_are_ignored_and_resends_keep_the_packet(nas):
    """AT-09: an ACK not signed with the shared secret is no answer; the retransmission is
    the very same packet (same Identifier, same authenticator)."""
    listener = nas("forged")
    result = send(listener, timeout=0.2)
    assert result.outcome is coa.Outcome.TIMEOUT
    assert len(listener.datagrams) == 2 and listener.datagrams[0] == listener.datagrams[1]


def test_nas_with_another_secret_ignores_the_request(nas):
    listener = nas("ack")
    listener.secret = b"someone-elses-secret-value"
    assert send(listener).outcome is coa.Outcome.TIMEOUT


def open_session(db, gateway, user_name="wd-0123456789abcdef", acct_session_id="80100014"):
    now = utcnow()
    with db() as session:
        known = {}
        row = record(
            AccountingUpdate(
                status="start",
                gateway_id=gateway.id,
                village_kode=gateway.village_kode,
                timezone=gateway.timezone,
                acct_session_id=acct_session_id,
                event_time=now,
                local_date=local_day(now, gateway.timezone),
                device="d" * 32,
                framed_ip="10.5.88.9",
                user_name=user_name,
            ),
            usage=UsageBatch(),
            known=known,
        )
        save_sessions(session, known.values())
        session.commit()
        return session.get(AccountingSession, row.id)


def test_admin_disconnect_names_the_session(db, make_gateway, nas):
    listener = nas("ack")
    gateway = make_gateway(secret=SECRET.decode(), coa_port=listener.port)
    row = open_session(db, gateway)

    with db() as session:
        result = disconnect(session, row, now=utcnow(), timeout=0.3, retries=0)

    assert result.outcome is coa.Outcome.ACK
    sent = listener.received[0]
    assert (sent["User-Name"], sent["Acct-Session-Id"], sent["Framed-IP-Address"]) == (
        "wd-0123456789abcdef",
        "80100014",
        "10.5.88.9",
    )


@pytest.mark.parametrize("cause", [503, 504])
def test_a_session_the_router_does_not_know_is_closed_at_once(db, make_gateway, nas, cause):
    """NAK 503 (Session-Context-Not-Found): the Stop was lost, the router has no such
    session; it is closed now, its client IP forgotten. Any other NAK changes nothing."""
    listener = nas("nak", error_cause=cause)
    gateway = make_gateway(secret=SECRET.decode(), coa_port=listener.port)
    row = open_session(db, gateway)
    at = utcnow()

    with db() as session:
        row = session.get(AccountingSession, row.id)
        result = disconnect(session, row, now=at, timeout=0.3, retries=0)
        session.commit()

    assert result.error_cause == cause
    with db() as session:
        stored = session.get(AccountingSession, row.id)
        if cause == 503:
            assert (stored.stopped_at, stored.terminate_cause) == (at, "Not-On-Router")
            assert stored.framed_ip is None
        else:
            assert stored.stopped_at is None and stored.framed_ip == "10.5.88.9"


def test_admin_disconnect_refuses_closed_sessions_and_networks(db, make_gateway):
    gateway = make_gateway(source_address="127.0.0.0/8")
    row = open_session(db, gateway)
    with db() as session, pytest.raises(GatewayUnreachable):
        disconnect(session, row, now=utcnow())
    row.stopped_at = utcnow() + timedelta(seconds=1)
    with db() as session, pytest.raises(SessionNotOpen):
        disconnect(session, row, now=utcnow())


def test_throttle_policy_sends_coa_with_the_throttle_rate(
    make_gateway, radius_server, router, db, nas
):
    listener = nas("ack")
    gateway = make_gateway(secret=SECRET.decode(), coa_port=listener.port)
    with db() as session:
        set_policy(
            session,
            "64.01",
            now=gateway.created_at,
            daily_mb=1,
            on_exhausted="throttle",
            throttle_rate="64k/128k",
        )
        session.commit()
    server = radius_server(coa_timeout=0.3, coa_retries=0)
    client = router(server, gateway)
    client.send(client.accounting_request(1))
    client.send(client.accounting_request(3, seconds=60, output_octets=5_000_000))

    counter = server.metrics.coa.labels("coa", "ack")
    for _ in range(100):
        if counter._value.get():
            break
        time.sleep(0.05)
    assert counter._value.get() == 1
    sent = listener.received[0]
    assert sent["code"] == packet.CoARequest
    assert sent["Mikrotik-Rate-Limit"] == "64k/128k"
    assert sent["Acct-Session-Id"] == "80100014"


def _wait_for_count(counter, expected: int, timeout: float = 5.0) -> int:
    end = time.monotonic() + timeout
    while counter._value.get() < expected and time.monotonic() < end:
        time.sleep(0.02)
    return counter._value.get()


def test_a_lost_disconnect_is_sent_again_at_the_next_interim_update(
    make_gateway, radius_server, router, db, nas
):
    """A TIMEOUT is a lost request: the next Interim-Update that still shows the quota
    spent sends it again. An ACK ends it: later updates send nothing more."""
    listener = nas("silent")
    gateway = make_gateway(secret=SECRET.decode(), coa_port=listener.port)
    with db() as session:
        set_policy(session, "64.01", now=gateway.created_at, daily_mb=1)
        session.commit()
    server = radius_server(coa_timeout=0.2, coa_retries=0)
    client = router(server, gateway)
    client.send(client.accounting_request(1))

    def interim(minute: int) -> None:
        octets = 2_000_000 + minute
        client.send(client.accounting_request(3, seconds=60 * minute, output_octets=octets))

    interim(1)
    assert _wait_for_count(server.metrics.coa.labels("disconnect", "timeout"), 1) == 1
    listener.mode = "ack"
    interim(2)
    assert _wait_for_count(server.metrics.coa.labels("disconnect", "ack"), 1) == 1
    interim(3)
    time.sleep(0.5)
    assert len(listener.received) == 2
    assert server.metrics.coa.labels("disconnect", "ack")._value.get() == 1
