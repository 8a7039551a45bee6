"""Accounting through the real RADIUS server, then every report figure against hand totals.

Runs once the RADIUS branch is merged (it skips until ``radius.server`` is importable).
Sessions are sent by a simulated MikroTik (tests/radius/mikrotik.py) as Start and Stop
at server clock times just before and after local midnight in a WITA and a WIB village;
no session itself crosses midnight, so the expected figures do not depend on how the
server splits a session's traffic between days. peak_concurrent, terms_accepted and
vouchers_redeemed are fed by login, not accounting, and are checked in test_api.py.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

server_module = pytest.importorskip("radius.server", reason="radius.server not merged yet")
mikrotik = pytest.importorskip("tests.radius.mikrotik", reason="radius.server not merged yet")

from portal import settings_of  # noqa: E402 (after the skip: nothing to import before the merge)
from portal.domain.reporting import reports, status  # noqa: E402
from tests.reports.scenario import WIB_VILLAGE, WITA_VILLAGE  # noqa: E402

START, STOP = 1, 2


def at(hour: int, minute: int) -> datetime:
    """An instant on 20 November 2026, UTC."""
    return datetime(2026, 11, 20, hour, minute)


# (village, mac, session id, start UTC, minutes, bytes down, bytes up)
SESSIONS = [
    # 23.40–23.55 WITA on 20/11, device A
    (WITA_VILLAGE, "AA:00:00:00:00:01", "w1", at(15, 40), 15, 1_000_000, 10_000),
    # 00.10–00.40 WITA on 21/11, device B, and A again 00.20–00.30 (a new pseudonym)
    (WITA_VILLAGE, "AA:00:00:00:00:02", "w2", at(16, 10), 30, 3_000_000, 30_000),
    (WITA_VILLAGE, "AA:00:00:00:00:01", "w3", at(16, 20), 10, 2_000_000, 20_000),
    # 23.30–23.50 WIB on 20/11 (same UTC hour as w2/w3, previous local day), device C
    (WIB_VILLAGE, "CC:00:00:00:00:03", "b1", at(16, 30), 20, 4_000_000, 40_000),
    # 00.30–00.45 WIB on 21/11, device C again
    (WIB_VILLAGE, "CC:00:00:00:00:03", "b2", at(17, 30), 15, 1_000_000, 5_000),
]  # fmt: skip
EXPECTED = {
    (WITA_VILLAGE, "2026-11-20"): (1, 1, 1_000_000, 10_000, 900),
    (WITA_VILLAGE, "2026-11-21"): (2, 2, 5_000_000, 50_000, 2400),
    (WIB_VILLAGE, "2026-11-20"): (1, 1, 4_000_000, 40_000, 1200),
    (WIB_VILLAGE, "2026-11-21"): (1, 1, 1_000_000, 5_000, 900),
}
FIELDS = ("sessions", "devices", "bytes_down", "bytes_up", "seconds_online")


def test_reports_match_accounting_sent_through_the_radius_server(
    app, session, client, make_village, make_gateway, make_token
):
    gateways = {
        WITA_VILLAGE: make_gateway(make_village(WITA_VILLAGE), "paser-1"),
        WIB_VILLAGE: make_gateway(make_village(WIB_VILLAGE), "kerinci-1"),
    }
    session.commit()
    clock = [SESSIONS[0][3]]
    server = server_module.RadiusServer(
        settings_of(app), "127.0.0.1", 0, 0, reject_delay=0.0, clock=lambda: clock[0]
    ).start()
    try:
        for village, mac, session_id, start, minutes, down, up in SESSIONS:
            gateway = gateways[village]
            nas = mikrotik.Router(server.auth_port, server.acct_port, gateway.secret.encode(),
                                  gateway.nas_identifier)  # fmt: skip
            clock[0] = start
            assert nas.send(nas.accounting_request(START, session_id, mac=mac)) is not None
            clock[0] = start + timedelta(minutes=minutes)
            stop = nas.accounting_request(
                STOP,
                session_id,
                mac=mac,
                seconds=minutes * 60,
                output_octets=down,
                input_octets=up,
                terminate_cause=1,
            )
            assert nas.send(stop) is not None  # fmt: skip
    finally:
        server.stop()

    session.expire_all()
    got = {}
    for scope in ("64", "15"):
        table = reports.usage(session, scope, date(2026, 11, 20), date(2026, 11, 21), "day")
        index = {name: reports.INDICATORS.index(name) + 2 for name in FIELDS}
        for row in table.rows:
            got[(row[0], row[1])] = tuple(row[index[name]] for name in FIELDS)
    assert got == EXPECTED

    token = make_token("64")
    body = client.get("/api/v1/usage?scope=64&from=2026-11-20&to=2026-11-21",
                      headers={"Authorization": f"Bearer {token}"}).get_json()  # fmt: skip
    assert sum(row["bytes_down"] for row in body["rows"]) == 6_000_000
    overview = status.overview(session, "64", datetime(2026, 11, 21, 5, 0))
    assert overview.villages[0].users_today == 2
