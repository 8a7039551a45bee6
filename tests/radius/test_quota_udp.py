"""Fair use over UDP: spent quotas, throttling, vouchers, MAC login, local midnight."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from pyrad import packet

from portal.domain.network.policies import set_policy
from portal.models import DeviceDay, UsageDaily, UsageHourly, Voucher
from tests.radius.mikrotik import attributes

MAC = "BC:24:11:EB:56:4D"
OTHER_MAC = "02:00:00:00:00:07"


@pytest.fixture
def policy(db):
    def apply(scope, **values):
        with db() as session:
            set_policy(session, scope, now=datetime(2026, 1, 1), **values)
            session.commit()

    return apply


def frozen(at):
    return lambda: at


def test_spent_quota_is_refused_with_local_reset_time_and_counted(
    make_gateway, make_grant, spend, radius_server, router, db
):
    gateway = make_gateway()
    now = datetime(2026, 11, 22, 3, 0)  # 11.00 WITA
    spend(gateway, MAC, now)
    issued = make_grant(gateway, MAC, now=now)
    server = radius_server(clock=frozen(now))
    nas = router(server, gateway)

    reply = nas.send(nas.access_request(issued.username, issued.password, mac=MAC))

    assert reply.code == packet.AccessReject
    assert reply["Reply-Message"][0] == (
        "Kuota harian Anda sudah habis. Coba lagi besok pukul 00.00 WITA."
    )
    with db() as session:
        assert session.scalar(sa.select(UsageDaily.quota_refusals)) == 1
        assert session.scalar(sa.select(UsageHourly.local_hour)) == 11


def test_spent_quota_is_throttled_when_the_policy_says_so(
    make_gateway, make_grant, spend, policy, radius_server, router
):
    gateway = make_gateway()
    policy("64.01", on_exhausted="throttle", throttle_rate="128k/256k")
    now = datetime(2026, 11, 22, 3, 0)
    spend(gateway, MAC, now)
    issued = make_grant(gateway, MAC, now=now)
    server = radius_server(clock=frozen(now))
    nas = router(server, gateway)

    reply = nas.send(nas.access_request(issued.username, issued.password, mac=MAC))

    assert reply.code == packet.AccessAccept
    got = attributes(reply)
    assert got["Mikrotik-Rate-Limit"] == "128k/256k"
    assert "Mikrotik-Total-Limit" not in got


@pytest.mark.parametrize(
    ("timezone", "last_minute"),
    [("WITA", datetime(2026, 11, 22, 15, 59, 30)), ("WIB", datetime(2026, 11, 22, 16, 59, 30))],
)
def test_local_midnight_caps_the_session_and_resets_the_quota(
    make_gateway, make_grant, spend, radius_server, router, timezone, last_minute
):
    gateway = make_gateway(f"desa-{timezone.lower()}", timezone=timezone)
    fresh = make_grant(gateway, OTHER_MAC, now=last_minute)
    server = radius_server(clock=frozen(last_minute))
    nas = router(server, gateway)
    reply = nas.send(nas.access_request(fresh.username, fresh.password, mac=OTHER_MAC))
    assert reply.code == packet.AccessAccept
    assert attributes(reply)["Session-Timeout"] == 30  # 23.59.30 local: 30 s to midnight

    spend(gateway, MAC, last_minute)
    before = make_grant(gateway, MAC, now=last_minute)
    reply = nas.send(nas.access_request(before.username, before.password, mac=MAC))
    assert reply.code == packet.AccessReject
    assert reply["Reply-Message"][0].endswith(f"00.00 {timezone}.")

    after_midnight = last_minute + timedelta(minutes=1)
    server.stop()
    server = radius_server(clock=frozen(after_midnight))
    nas = router(server, gateway)
    after = make_grant(gateway, MAC, now=after_midnight)
    reply = nas.send(nas.access_request(after.username, after.password, mac=MAC))
    assert reply.code == packet.AccessAccept
    assert attributes(reply)["Mikrotik-Total-Limit"] == 1024 * 1_000_000


def test_voucher_binds_to_the_first_device(make_gateway, make_vouchers, radius_server, router, db):
    gateway = make_gateway()
    (code,) = make_vouchers(gateway.village_kode, daily_mb=5000)
    server = radius_server()
    nas = router(server, gateway)

    typed = code.lower()[:5] + "-" + code.lower()[5:]
    first = nas.send(nas.access_request(code, code, mac=MAC))
    again = nas.send(nas.access_request(code, code, mac=MAC, pap=True))
    other = nas.send(nas.access_request(code, code, mac=OTHER_MAC))
    lowercase = nas.send(nas.access_request(typed, typed, mac=MAC))

    assert first.code == again.code == lowercase.code == packet.AccessAccept
    got = attributes(first)
    assert got["Class"].startswith(b"wd:v:")
    assert (got["Mikrotik-Total-Limit-Gigawords"] << 32) + got["Mikrotik-Total-Limit"] == (
        5000 * 1_000_000
    )
    assert other.code == packet.AccessReject
    assert "perangkat lain" in other["Reply-Message"][0]
    with db() as session:
        assert session.scalar(sa.select(Voucher.bound_device)) is not None
        assert session.scalar(sa.select(UsageDaily.vouchers_redeemed)) == 1


def test_wrong_voucher_password_is_rejected(make_gateway, make_vouchers, radius_server, router):
    gateway = make_gateway()
    (code,) = make_vouchers(gateway.village_kode)
    server = radius_server()
    nas = router(server, gateway)

    reply = nas.send(nas.access_request(code, "BUKANKODE1", mac=MAC))
    assert reply.code == packet.AccessReject


def test_mac_login_needs_quota_left_today(make_gateway, accept_terms, spend, radius_server, router):
    """A short disconnect brings the device back by MAC only while its day lasts."""
    gateway = make_gateway()
    now = datetime(2026, 11, 22, 3, 0)  # 11.00 WITA
    accept_terms(gateway, MAC, now=now)
    server = radius_server(clock=frozen(now))
    nas = router(server, gateway)
    assert nas.send(nas.access_request(MAC, "", mac=MAC, pap=True)).code == packet.AccessAccept

    spend(gateway, MAC, now)
    refused = nas.send(nas.access_request(MAC, "", mac=MAC, pap=True))

    assert refused.code == packet.AccessReject
    assert refused["Reply-Message"][0] == (
        "Kuota harian Anda sudah habis. Coba lagi besok pukul 00.00 WITA."
    )


def test_mac_login_needs_terms_accepted_today(
    make_gateway, accept_terms, radius_server, router, db
):
    gateway = make_gateway()
    server = radius_server()
    nas = router(server, gateway)

    refused = nas.send(nas.access_request(MAC, "", mac=MAC, pap=True))
    assert refused.code == packet.AccessReject
    assert "setujui ketentuan" in refused["Reply-Message"][0]

    accept_terms(gateway, MAC)
    reply = nas.send(nas.access_request(MAC, "", mac=MAC, pap=True))
    assert reply.code == packet.AccessAccept
    assert attributes(reply)["Class"] == b"wd:m"

    spoofed = nas.send(nas.access_request(MAC, "", mac=OTHER_MAC, pap=True))
    assert spoofed.code == packet.AccessReject
    with db() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(DeviceDay)) == 1
