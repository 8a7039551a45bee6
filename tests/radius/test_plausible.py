"""Plausible accounting only: counters that cannot be true are bounded or refused,
logged with a reason (never a MAC or an IP) and counted, and the session keeps what
could be true. Domain calls with an explicit clock, and one request over UDP."""

from __future__ import annotations

import logging
from datetime import timedelta

import sqlalchemy as sa
from pyrad import packet

from portal.domain.usage import plausibility
from portal.domain.usage.accounting import AccountingContext, AccountingReport, record_batch
from portal.models import AccountingSession, DeviceDay, UsageDaily
from radius.clients import load_clients
from tests.radius.mikrotik import GIB4
from tests.radius.test_accounting_domain import NOW, update

MAC = "BC:24:11:EB:56:4D"
START, STOP, INTERIM = 1, 2, 3


def stored(db) -> tuple[int, int, int]:
    with db() as session:
        row = session.scalars(sa.select(AccountingSession)).one()
        daily = session.scalars(sa.select(UsageDaily)).one()
        day = session.scalars(sa.select(DeviceDay)).one()
        # the rollups hold exactly what the session holds
        assert (daily.seconds_online, daily.bytes_up, daily.bytes_down) == (
            row.session_seconds,
            row.input_octets,
            row.output_octets,
        )
        assert (day.seconds_total, day.bytes_total) == (
            row.session_seconds,
            row.input_octets + row.output_octets,
        )
        return row.session_seconds, row.input_octets, row.output_octets


def findings_of(db, gateway, *updates, now=NOW) -> list[str]:
    """Apply ``updates`` one batch each through `record`, collecting findings."""
    found: list[str] = []
    from portal.domain.usage.rollups import UsageBatch
    from portal.domain.usage.sessions import load_sessions, save_sessions
    from portal.domain.usage.updates import record

    for item in updates:
        with db() as session:
            usage = UsageBatch()
            known = load_sessions(session, [(item.gateway_id, item.acct_session_id)])
            record(item, usage=usage, known=known, findings=found)
            save_sessions(session, known.values())
            usage.flush(session, {item.village_kode: "WITA"}, now)
            session.commit()
    return found


def test_session_time_beyond_what_passed_since_the_start_is_cut(db, make_gateway):
    gateway = make_gateway()
    later = NOW + timedelta(minutes=1)
    found = findings_of(
        db,
        gateway,
        update(gateway, "start"),
        update(gateway, "interim", event_time=later, session_seconds=100_000, output_octets=10),
    )
    assert found == [plausibility.SESSION_TOO_LONG]
    assert stored(db) == (60 + plausibility.SLACK_SECONDS, 0, 10)


def test_session_time_beyond_the_last_update_and_what_passed_since_is_cut(db, make_gateway):
    gateway = make_gateway()
    t10, t11 = NOW + timedelta(minutes=10), NOW + timedelta(minutes=11)
    found = findings_of(
        db,
        gateway,
        update(gateway, "start"),
        update(gateway, "interim", event_time=t10, session_seconds=600),
        update(gateway, "interim", event_time=t11, session_seconds=5_000),
    )
    assert found == [plausibility.SESSION_TOO_LONG]
    assert stored(db)[0] == 660 + plausibility.SLACK_SECONDS
    # the router's Stop, saying less than what is stored: the stored time stands
    stop = update(gateway, "stop", event_time=t11, session_seconds=1_000)
    assert findings_of(db, gateway, stop) == []
    assert stored(db)[0] == 660 + plausibility.SLACK_SECONDS


def test_octets_faster_than_any_client_link_are_cut(db, make_gateway):
    gateway = make_gateway()
    later = NOW + timedelta(minutes=1)
    found = findings_of(
        db,
        gateway,
        update(gateway, "start"),
        update(gateway, "interim", event_time=later, session_seconds=60, output_octets=10**15),
    )
    assert found == [plausibility.OCTETS_TOO_FAST]
    most = (60 + plausibility.SLACK_SECONDS) * plausibility.MAX_RATE
    assert stored(db) == (60, 0, most)


def test_a_wrap_with_gigawords_counts_and_one_without_is_refused(db, make_gateway):
    gateway = make_gateway()
    t = [NOW + timedelta(minutes=m) for m in (1, 2, 3)]
    five_gib = 5 * (1 << 30)
    nine_gib = 9 * (1 << 30)
    found = findings_of(
        db,
        gateway,
        update(gateway, "start"),
        update(gateway, "interim", event_time=t[0], session_seconds=60, output_octets=five_gib),
        # the 32-bit counter wrapped again and Acct-Output-Gigawords says so: 9 GiB
        update(gateway, "interim", event_time=t[1], session_seconds=120, output_octets=nine_gib),
    )
    assert found == [] and stored(db) == (120, 0, nine_gib)
    # a newer report whose octets went backwards (gigawords lost): refused, not subtracted
    backwards = nine_gib % GIB4 + 1000
    found = findings_of(
        db,
        gateway,
        update(gateway, "interim", event_time=t[2], session_seconds=180, output_octets=backwards),
    )
    assert found == [plausibility.COUNTER_BACKWARDS]
    assert stored(db) == (180, 0, nine_gib)


def test_an_older_report_arriving_late_is_no_finding(db, make_gateway):
    gateway = make_gateway()
    t1, t2 = NOW + timedelta(minutes=1), NOW + timedelta(minutes=2)
    found = findings_of(
        db,
        gateway,
        update(gateway, "start"),
        update(gateway, "interim", event_time=t2, session_seconds=120, output_octets=2_000),
        update(gateway, "interim", event_time=t1, session_seconds=60, output_octets=1_000),
    )
    assert found == [] and stored(db) == (120, 0, 2_000)


def test_an_unknown_session_of_136_years_is_recorded_without_its_counters(db, make_gateway):
    gateway = make_gateway()
    found = findings_of(
        db,
        gateway,
        update(gateway, "interim", session_seconds=4_294_967_295, output_octets=10**12),
    )
    assert found == [plausibility.UNKNOWN_TOO_LONG]
    assert stored(db) == (0, 0, 0)
    with db() as session:
        row = session.scalars(sa.select(AccountingSession)).one()
        assert row.started_at == NOW and row.stopped_at is None
    # its next report is bounded from there, not from 136 years
    later = NOW + timedelta(minutes=5)
    findings_of(
        db, gateway, update(gateway, "interim", event_time=later, session_seconds=4_294_967_595)
    )
    assert stored(db)[0] == 300 + plausibility.SLACK_SECONDS


def test_an_unknown_session_of_plausible_size_is_taken_as_it_is(db, make_gateway):
    gateway = make_gateway()
    found = findings_of(
        db,
        gateway,
        update(gateway, "stop", session_seconds=3_600, input_octets=5, output_octets=7),
    )
    assert found == [] and stored(db) == (3_600, 5, 7)


def test_the_batch_reports_findings_once_committed(db, make_gateway, settings):
    gateway = make_gateway()
    counted: list[str] = []
    context = AccountingContext(implausible=counted.append)
    with db() as session:
        point = next(c for c in load_clients(session) if c.gateway_id == gateway.id)
    report = AccountingReport(
        point, INTERIM, "81000001", mac=MAC, session_seconds=4_294_967_295, output_octets=1
    )
    with db() as session:
        record_batch(session, [report], context, now=NOW)
        assert counted == []  # not before the commit
        session.commit()
    assert counted == [plausibility.UNKNOWN_TOO_LONG]
    with db() as session:
        record_batch(session, [report._replace(acct_session_id="81000002")], context, now=NOW)
        session.rollback()
    assert counted == [plausibility.UNKNOWN_TOO_LONG]  # a rolled-back batch counts nothing


def test_over_udp_the_request_is_answered_logged_without_mac_or_ip_and_counted(
    make_gateway, radius_server, router, db, caplog
):
    gateway = make_gateway()
    server = radius_server()
    nas = router(server, gateway)
    with caplog.at_level(logging.WARNING):
        reply = nas.send(
            nas.accounting_request(
                INTERIM, "81000009", mac=MAC, seconds=4_294_967_295, output_octets=123
            )
        )
    assert reply is not None and reply.code == packet.AccountingResponse
    with db() as session:
        row = session.scalars(sa.select(AccountingSession)).one()
        assert (row.session_seconds, row.output_octets) == (0, 0)
    assert server.metrics.implausible.labels(plausibility.UNKNOWN_TOO_LONG)._value.get() == 1
    lines = [r.getMessage() for r in caplog.records if "implausible" in r.getMessage()]
    assert lines == [f"accounting from gateway {gateway.id}: implausible counters bounded "
                     f"({plausibility.UNKNOWN_TOO_LONG})"]  # fmt: skip
    assert all(MAC not in line and "10.5.88.2" not in line for line in lines)
