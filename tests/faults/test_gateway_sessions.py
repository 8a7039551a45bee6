"""A gateway that reboots or goes silent: its sessions are closed as designed (AT-13).

Accounting-On (after a reboot) and Accounting-Off (before a shutdown) close every open
session of that gateway with cause NAS-Reboot and leave other gateways alone. Sessions
whose router stops reporting are closed by the stale sweep once they have missed three
interim updates, and no session that keeps reporting is closed. AT-13 asks for 10,000
sessions of which 5% go quiet; CI runs the same shape with 400.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.config import utcnow
from portal.domain.usage.closing import close_stale_sessions
from portal.models import AccountingSession
from tests.faults.load import SCALE, AccountingLoad
from tests.radius.mikrotik import Router

START, INTERIM, ON, OFF = 1, 3, 7, 8
X, Y = 300 * SCALE, 100 * SCALE  # open sessions of the rebooting gateway and a neighbour
BUSY, SILENT = 390 * SCALE, 10 * SCALE  # a busy and a silent gateway's sessions
INTERVAL = timedelta(minutes=5)  # the default policy's Acct-Interim-Interval


def _send_all(port: int, gateway, packets: list) -> None:
    """Send like the gateway's router until every request is answered."""
    with AccountingLoad(port, gateway.secret.encode(), packets) as load:
        assert load.wait(len(packets), timeout=30 * SCALE), "not every request was answered"


def _starts(nas: Router, prefix: str, count: int) -> list:
    return [
        nas.accounting_request(
            START, f"{prefix}{n:05d}", mac=f"02:00:00:01:{n // 256:02X}:{n % 256:02X}"
        )
        for n in range(count)
    ]


def _open_and_causes(db, gateway) -> tuple[int, dict[str | None, int]]:
    with db() as session:
        rows = session.execute(
            sa.select(AccountingSession.terminate_cause, AccountingSession.stopped_at).where(
                AccountingSession.gateway_id == gateway.id
            )
        ).all()
    causes: dict[str | None, int] = {}
    for cause, _ in rows:
        causes[cause] = causes.get(cause, 0) + 1
    return sum(1 for _, stopped in rows if stopped is None), causes


@pytest.mark.slow
def test_reboot_closes_that_gateways_sessions_only(make_gateway, radius_server, router, db):
    rebooting, neighbour = make_gateway("desa-reboot"), make_gateway("desa-tetangga")
    server = radius_server()
    nas_x, nas_y = router(server, rebooting), router(server, neighbour)
    _send_all(server.acct_port, rebooting, _starts(nas_x, "X", X))
    _send_all(server.acct_port, neighbour, _starts(nas_y, "Y", Y))
    assert _open_and_causes(db, rebooting) == (X, {None: X})

    _send_all(server.acct_port, rebooting, [nas_x.accounting_request(ON)])  # back from a reboot
    assert _open_and_causes(db, rebooting) == (0, {"NAS-Reboot": X})
    # the router, back up, starts a session; then it is shut down (Accounting-Off)
    _send_all(server.acct_port, rebooting, [nas_x.accounting_request(START, "X-after-boot")])
    assert _open_and_causes(db, rebooting) == (1, {"NAS-Reboot": X, None: 1})
    _send_all(server.acct_port, rebooting, [nas_x.accounting_request(OFF)])

    assert _open_and_causes(db, rebooting) == (0, {"NAS-Reboot": X + 1})
    assert _open_and_causes(db, neighbour) == (Y, {None: Y})
    with db() as session:
        addresses = session.scalars(
            sa.select(AccountingSession.framed_ip).where(
                AccountingSession.terminate_cause == "NAS-Reboot"
            )
        ).all()
    assert len(addresses) == X + 1 and set(addresses) == {None}  # client IPs are forgotten


@pytest.mark.slow
def test_one_sweep_closes_exactly_the_sessions_that_went_quiet(
    make_gateway, radius_server, router, db
):
    """400 sessions on two gateways; a silent gateway's 10 and 10 others (5%) stop reporting."""
    busy, silent = make_gateway("desa-ramai"), make_gateway("desa-sepi")
    start = utcnow().replace(microsecond=0)
    now = [start]
    server = radius_server(clock=lambda: now[0])
    busy_nas, silent_nas = router(server, busy), router(server, silent)
    _send_all(server.acct_port, busy, _starts(busy_nas, "B", BUSY))
    _send_all(server.acct_port, silent, _starts(silent_nas, "S", SILENT))
    quiet = {f"B{n:05d}" for n in range(0, BUSY, 39)}  # 1 in 39 of the busy gateway's
    for round_ in (1, 2, 3):
        now[0] = start + round_ * INTERVAL
        interims = [
            busy_nas.accounting_request(
                INTERIM,
                f"B{n:05d}",
                mac=f"02:00:00:01:{n // 256:02X}:{n % 256:02X}",
                seconds=300 * round_,
                output_octets=1000 * round_,
            )
            for n in range(BUSY)
            if f"B{n:05d}" not in quiet
        ]
        _send_all(server.acct_port, busy, interims)

    with db() as session:  # three intervals have passed, not yet three missed updates
        assert close_stale_sessions(session, now=start + 3 * INTERVAL) == 0
        session.commit()
        # a minute later they have missed three: one sweep closes them, and only them
        assert (
            close_stale_sessions(session, now=start + 3 * INTERVAL + timedelta(minutes=1))
            == 2 * SILENT
        )
        session.commit()
        rows = session.execute(
            sa.select(
                AccountingSession.acct_session_id,
                AccountingSession.terminate_cause,
                AccountingSession.stopped_at,
            )
        ).all()
    closed = {session_id for session_id, _, stopped in rows if stopped is not None}
    assert closed == quiet | {f"S{n:05d}" for n in range(SILENT)}
    assert {cause for session_id, cause, _ in rows if session_id in closed} == {"Stale-Session"}
    assert {stopped for session_id, _, stopped in rows if session_id in closed} == {start}
    assert len(rows) == BUSY + SILENT == 400 * SCALE


def test_the_server_sweeps_by_itself(make_gateway, radius_server, router, db):
    """The RADIUS server runs the same sweep on its own (here every loop, clock moved)."""
    busy, silent = make_gateway("desa-ramai"), make_gateway("desa-sepi")
    start = utcnow().replace(microsecond=0)
    now = [start]
    server = radius_server(clock=lambda: now[0], sweep_interval=0.0)
    busy_nas, silent_nas = router(server, busy), router(server, silent)
    _send_all(server.acct_port, busy, _starts(busy_nas, "B", 3))
    _send_all(server.acct_port, silent, _starts(silent_nas, "S", 3))
    now[0] = start + 3 * INTERVAL
    _send_all(
        server.acct_port,
        busy,
        [busy_nas.accounting_request(INTERIM, f"B{n:05d}", seconds=900) for n in range(3)],
    )
    now[0] = start + 3 * INTERVAL + timedelta(minutes=1)
    deadline = time.monotonic() + 15  # the upkeep loop turns every 1 s (SQLite) or 5 s
    while _open_and_causes(db, silent)[0] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _open_and_causes(db, silent) == (0, {"Stale-Session": 3})
    assert _open_and_causes(db, busy) == (3, {None: 3})
