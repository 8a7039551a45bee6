"""Accounting and rollups as plain domain functions: no sockets, explicit ``now``."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from portal.domain.clock import local_day
from portal.domain.usage.closing import accounting_on, close_stale_sessions
from portal.domain.usage.rollups import UsageBatch
from portal.domain.usage.sessions import load_sessions, save_sessions
from portal.domain.usage.updates import AccountingUpdate, combine_gigawords, record
from portal.models import AccountingSession, DeviceDay, Gateway, UsageDaily, UsageHourly

NOW = datetime(2026, 11, 22, 4, 30)  # 12.30 WITA


def update(gateway, status, **values):
    defaults = {
        "status": status,
        "gateway_id": gateway.id,
        "village_kode": gateway.village_kode,
        "timezone": "WITA",
        "acct_session_id": "80100014",
        "event_time": NOW,
        "local_date": local_day(NOW, "WITA"),
        "device": "d" * 32,
        "framed_ip": "10.5.88.2",
    }
    return AccountingUpdate(**{**defaults, **values})


def apply(db, *updates, now=NOW):
    with db() as session:
        usage = UsageBatch()
        known = load_sessions(session, [(u.gateway_id, u.acct_session_id) for u in updates])
        for item in updates:
            record(item, usage=usage, known=known)
        save_sessions(session, known.values())
        usage.flush(session, {updates[0].village_kode: "WITA"}, now)
        session.commit()


def test_gigawords_combine_into_64_bits():
    assert combine_gigawords(5, 2) == (2 << 32) + 5
    assert combine_gigawords(-1, -1) == 0


def test_repeats_and_stale_counters_change_nothing(db, make_gateway):
    gateway = make_gateway()
    interim = update(gateway, "interim", session_seconds=300, input_octets=10, output_octets=90)
    apply(db, update(gateway, "start"), interim)
    apply(db, interim)  # a retransmission with a new Identifier
    apply(db, update(gateway, "interim", session_seconds=200, input_octets=5, output_octets=50))

    with db() as session:
        row = session.scalars(sa.select(AccountingSession)).one()
        assert (row.session_seconds, row.input_octets, row.output_octets) == (300, 10, 90)
        assert row.interim_count == 1
        daily = session.scalars(sa.select(UsageDaily)).one()
        assert (daily.sessions, daily.devices, daily.bytes_up, daily.bytes_down) == (1, 1, 10, 90)
        assert session.scalar(sa.select(UsageHourly.local_hour)) == 12
        assert session.scalar(sa.select(DeviceDay.bytes_total)) == 100


def test_stop_closes_and_forgets_the_address(db, make_gateway):
    gateway = make_gateway()
    apply(db, update(gateway, "start"))
    later = NOW + timedelta(minutes=10)
    apply(
        db,
        update(
            gateway, "stop", event_time=later, session_seconds=600, terminate_cause="Idle-Timeout"
        ),
    )
    apply(db, update(gateway, "interim", event_time=later, session_seconds=650))  # late interim

    with db() as session:
        row = session.scalars(sa.select(AccountingSession)).one()
        assert row.stopped_at == later and row.framed_ip is None
        assert row.terminate_cause == "Idle-Timeout"


def test_accounting_on_and_the_sweeper_close_sessions(db, make_gateway):
    gateway = make_gateway()
    apply(db, update(gateway, "start", acct_session_id="A"))
    apply(db, update(gateway, "start", acct_session_id="B", event_time=NOW + timedelta(minutes=14)))

    with db() as session:
        # policy interim is 5 minutes: A missed three updates at NOW + 16 min, B did not
        assert close_stale_sessions(session, now=NOW + timedelta(minutes=16)) == 1
        session.commit()
        assert (
            accounting_on(session, gateway_id=gateway.id, event_time=NOW + timedelta(hours=1)) == 1
        )
        session.commit()
        rows = {r.acct_session_id: r for r in session.scalars(sa.select(AccountingSession))}
    assert rows["A"].terminate_cause == "Stale-Session" and rows["A"].stopped_at == NOW
    assert rows["B"].terminate_cause == "NAS-Reboot"
    assert rows["A"].framed_ip is None and rows["B"].framed_ip is None


def test_the_sweeper_waits_longer_for_a_satellite_gateway(db, make_gateway):
    """Its setup script makes the router report every 15 minutes (the backhaul class's
    minimum), so three missed updates take 45 minutes there, 15 on fibre."""
    fibre, satellite = make_gateway("desa-fiber"), make_gateway("desa-satelit")
    with db() as session:
        session.get(Gateway, fibre.id).backhaul_class = "fibre"
        session.get(Gateway, satellite.id).backhaul_class = "satellite"
        session.commit()
    apply(db, update(fibre, "start", acct_session_id="F"))
    apply(db, update(satellite, "start", acct_session_id="S"))

    with db() as session:
        assert close_stale_sessions(session, now=NOW + timedelta(minutes=16)) == 1
        assert close_stale_sessions(session, now=NOW + timedelta(minutes=44)) == 0
        assert close_stale_sessions(session, now=NOW + timedelta(minutes=46)) == 1
        session.commit()
        causes = {
            r.acct_session_id: r.terminate_cause
            for r in session.scalars(sa.select(AccountingSession))
        }
    assert causes == {"F": "Stale-Session", "S": "Stale-Session"}
