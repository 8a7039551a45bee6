"""A click-through from the router's own page (``wd-t<terms version>``), over real UDP:
accepted at its gateway while the version is still shown, counted once per device and
day, refused at another gateway or once the version is a day out of date."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from pyrad import packet

from portal.domain.access import click_through
from portal.domain.credentials import click_through_username
from portal.models import DeviceDay, TermsAcceptance, UsageDaily
from portal.world import World
from tests.radius.mikrotik import attributes

MAC, OTHER_MAC = "BC:24:11:EB:56:4D", "02:00:00:00:00:07"
NOW = datetime(2026, 11, 22, 3, 0)  # 11.00 WITA


def publish(db, settings, at: datetime) -> int:
    with db() as session:
        version = World(session, now=at, master_key=settings.secret_key).terms("64.01")
        session.commit()
        return version.id


def tap(server, router, gateway, settings, version: int, mac: str = MAC) -> packet.Packet:
    """What the router sends when the resident taps the button of its own page (CHAP)."""
    nas = router(server, gateway)
    password = click_through.password(settings.secret_key, gateway.id, version)
    return nas.send(nas.access_request(click_through_username(version), password, mac=mac))


def start(server, router, gateway) -> None:
    """The router's Accounting Start of the session: the device is online."""
    nas = router(server, gateway)
    reply = nas.send(nas.accounting_request(1, "81000001", mac=MAC, user_name="wd-t1"))
    assert reply is not None and reply.code == packet.AccountingResponse


def test_a_tap_on_the_routers_page_logs_in_and_is_counted_once(
    make_gateway, radius_server, router, db, settings
):
    gateway = make_gateway()
    version = publish(db, settings, NOW - timedelta(days=3))
    server = radius_server(clock=lambda: NOW)

    first = tap(server, router, gateway, settings, version)
    again = tap(server, router, gateway, settings, version)  # a second tap

    assert first.code == again.code == packet.AccessAccept
    assert attributes(first)["Class"] == f"wd:t:{version}".encode()
    assert "Mikrotik-Total-Limit" in attributes(first)
    with db() as session:  # let on, not online yet: nothing counted
        assert session.scalar(sa.select(sa.func.count()).select_from(TermsAcceptance)) == 0
    start(server, router, gateway)
    with db() as session:
        assert session.scalar(sa.select(TermsAcceptance.count)) == 1
        assert session.scalar(sa.select(UsageDaily.terms_accepted)) == 1
        row = session.scalars(sa.select(DeviceDay)).one()
        assert row.terms_version_id == version  # so login-by=mac lets it back in
    nas = router(server, gateway)
    assert nas.send(nas.access_request(MAC, "", mac=MAC)).code == packet.AccessAccept


def test_a_page_of_another_gateway_or_a_forged_version_is_refused(
    make_gateway, radius_server, router, db, settings
):
    gateway, other = make_gateway(), make_gateway("desa-lain")
    version = publish(db, settings, NOW - timedelta(days=3))
    server = radius_server(clock=lambda: NOW, reject_delay=0.0)
    nas = router(server, other)
    password = click_through.password(settings.secret_key, gateway.id, version)

    wrong_gateway = nas.send(nas.access_request(click_through_username(version), password, mac=MAC))
    unknown = tap(server, router, gateway, settings, version + 50)

    assert wrong_gateway.code == packet.AccessReject
    assert attributes(wrong_gateway)["Reply-Message"].startswith("Kode atau kata sandi salah")
    assert unknown.code == packet.AccessReject
    assert "usang" in attributes(unknown)["Reply-Message"]
    with db() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(TermsAcceptance)) == 0


def test_a_replaced_version_counts_for_a_day(make_gateway, radius_server, router, db, settings):
    """The router's copy of its page may be a little old: a version replaced less than
    24 hours ago is still taken, and recorded as the version the resident saw."""
    gateway = make_gateway()
    old = publish(db, settings, NOW - timedelta(days=10))
    publish(db, settings, NOW - timedelta(hours=23))  # replaces it

    recent = tap(server := radius_server(clock=lambda: NOW), router, gateway, settings, old)
    start(server, router, gateway)
    later = NOW + timedelta(hours=2)
    with db() as session:  # a day after the new version: the old page is out of date
        assert session.scalar(sa.select(TermsAcceptance.terms_version_id)) == old
    server.stop()
    stale = tap(radius_server(clock=lambda: later, reject_delay=0.0), router, gateway, settings,
                old, mac=OTHER_MAC)  # fmt: skip

    assert recent.code == packet.AccessAccept
    assert stale.code == packet.AccessReject and "usang" in attributes(stale)["Reply-Message"]
