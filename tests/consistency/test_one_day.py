"""One realistic day at Samurangau through the real portal and RADIUS server, then every
figure read everywhere it is shown, and held to the same numbers.

Two routers serve the village office. A resident logs in through the splash, leaves,
and comes back by MAC login; another redeems a voucher of 500 MB a day where the policy
gives 100 MB; a third, on the other router, goes past the quota and is disconnected;
a fourth accepts the terms while her router has not asked RADIUS yet. The first router
then reboots (Accounting-On). Busui's router was never heard from.

The same facts are then read from the splash, the status page, an Access-Accept, the
live-devices page, the console's dashboard (village and region), the report overview,
the village report, the daily summary and ``/api/v1/usage``. Before the one-truth
change this failed twice over: the voucher holder's pages said "1 GB dari 1 GB" while
RADIUS gave the router 500 MB, and the dashboard counted 3 users (devices with an
accounting session) where the reports counted 4 (devices of the day). Since issue 13 a
device is one of the day's users once it was online (RADIUS let it on and accounting
saw it): D's accept alone counts nowhere.
"""

from __future__ import annotations

import re

from tests.consistency.day import (
    BUSUI,
    MB,
    NOW,
    SAMURANGAU,
    TODAY,
    Day,
    bytes_left_in,
    total_limit,
)

START, STOP, INTERIM, ON = 1, 2, 3, 7


def test_every_page_and_packet_tells_the_same_day(day: Day) -> None:
    a, b, c, d = day.phones("0a", "0b", "0c", "0d")
    # A: the splash, the terms, a grant; 30 MB over 10 minutes, then gone.
    accept_a = day.login_through_splash(a, day.kantor)
    assert accept_a.code == 2
    day.account(day.kantor, a, "a-1", START, accept_a)
    day.account(day.kantor, a, "a-1", STOP, accept_a, down=30 * MB, up=MB, seconds=600)
    # B: a voucher of 500 MB a day, five times the policy; 205 MB, still within it.
    accept_b = day.login_through_splash(b, day.kantor, voucher=day.voucher)
    assert total_limit(accept_b) == 500 * MB
    day.account(day.kantor, b, "b-1", START, accept_b)
    day.account(day.kantor, b, "b-1", INTERIM, accept_b, down=200 * MB, up=5 * MB, seconds=1200)
    # C, at the other router: past the 100 MB quota; RADIUS orders her off (ACK), the
    # router reports the Stop.
    accept_c = day.login_through_splash(c, day.balai)
    day.account(day.balai, c, "c-1", START, accept_c)
    day.account(day.balai, c, "c-1", INTERIM, accept_c, down=150 * MB, seconds=900)
    assert day.disconnected("c-1")
    day.account(day.balai, c, "c-1", STOP, accept_c, down=150 * MB, seconds=905)
    # A comes back: login-by=mac, 10 MB more.
    mac_login = day.radius_login(day.kantor, a.mac, "")
    assert mac_login.code == 2 and mac_login["Class"] == [b"wd:m"]
    assert total_limit(mac_login) == (100 - 31) * MB
    day.account(day.kantor, a, "a-2", START, mac_login)
    day.account(day.kantor, a, "a-2", INTERIM, mac_login, down=10 * MB, seconds=120)
    # D accepts the terms at the other router; its Access-Request is still on its way.
    day.accept_only(d, day.balai)

    left = {a: (100 - 41) * MB, b: (500 - 205) * MB}
    # What the live-devices page says each open session has left (before the reboot).
    devices = day.admin.get(f"/admin/gateways/{day.kantor.id}/devices").text
    shown_left = {
        int(match[0]): int(match[1])
        for match in re.findall(r'data-session="(\d+)" data-bytes-left="(\d+)"', devices)
    }
    assert sorted(shown_left.values()) == sorted(left.values())
    # The first router reboots: its open sessions end.
    assert day.kantor_router.send(day.kantor_router.accounting_request(ON)) is not None

    # The voucher holder's splash and status page, and RADIUS's answer to her next login.
    splash = day.splash(b, day.kantor)
    status = day.status_page(b, day.kantor)
    again = day.radius_login(day.kantor, b.mac, "")
    for page in (splash, status):
        assert bytes_left_in(page) == left[b] == total_limit(again)
        assert 'data-bytes-limit="500000000"' in page and 'data-source="voucher"' in page
        assert "Voucher berlaku sampai" in page
    assert bytes_left_in(day.status_page(a, day.kantor)) == left[a]

    # The village's figures, one truth, read everywhere.
    # A, B, C: D accepted the terms but was never online, so she is not a user (yet).
    users, data = 3, (31 + 205 + 150 + 10) * MB  # A's and C's full sessions
    village_page = day.admin.get(f"/admin/villages/{SAMURANGAU}").text
    assert _value(village_page, "users-today") == users
    assert _value(village_page, "data-today") == data
    region = day.admin.get("/admin/").text
    assert _row(region, SAMURANGAU, "users-today") == users
    assert _row(region, SAMURANGAU, "bytes-today") == data
    assert f'data-kode="{BUSUI}" data-state="never"' in region
    overview = day.admin.get("/reports/").text
    assert _row(overview, SAMURANGAU, "users-today") == users
    assert _row(overview, SAMURANGAU, "bytes-30d") == data  # the only day with data
    assert float(_attribute(overview, SAMURANGAU, "uptime")) == 100.0  # heard, just added
    report = day.admin.get(f"/reports/desa/{SAMURANGAU}?dari={TODAY}&sampai={TODAY}").text
    row = re.search(rf'data-day="{TODAY}" data-users="(\d+)" data-bytes="(\d+)"', report)
    assert row and (int(row[1]), int(row[2])) == (users, data)
    summary = day.admin.get("/reports/ringkasan").text
    assert f"Hari ini: 1 desa aktif, 1 gateway mati (Busui), {users} pengguna, 396 MB" in summary
    api = day.api(f"/api/v1/usage?scope=64.01&from={TODAY}&to={TODAY}&group=day")
    (samurangau,) = [r for r in api["rows"] if r["kode_desa_kelurahan"] == SAMURANGAU]
    assert samurangau["devices"] == users
    assert samurangau["bytes_down"] + samurangau["bytes_up"] == data
    assert NOW.date().isoformat() == TODAY


def _value(page: str, testid: str) -> int:
    found = re.search(rf'data-value="(\d+)" data-testid="{testid}"', page)
    assert found, testid
    return int(found[1])


def _attribute(page: str, kode: str, name: str) -> str:
    row = re.search(rf'<tr [^>]*data-kode="{re.escape(kode)}"[^>]*>', page)
    assert row, kode
    found = re.search(rf'data-{name}="([^"]*)"', row[0])
    assert found, name
    return found[1]


def _row(page: str, kode: str, name: str) -> int:
    return int(_attribute(page, kode, name))
