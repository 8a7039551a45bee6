"""Access-Requests over real UDP on loopback, shaped like a RouterOS 7 hotspot's."""

from __future__ import annotations

import time

import pytest
from pyrad import packet

from portal.models import Gateway
from tests.radius.mikrotik import attributes

MAC = "BC:24:11:EB:56:4D"


@pytest.mark.parametrize("pap", [False, True], ids=["chap", "pap"])
def test_grant_is_accepted_with_fair_use_attributes(
    make_gateway, make_grant, radius_server, router, pap
):
    gateway = make_gateway()
    issued = make_grant(gateway, MAC)
    server = radius_server()
    nas = router(server, gateway)

    reply = nas.send(nas.access_request(issued.username, issued.password, mac=MAC, pap=pap))

    assert reply is not None and reply.code == packet.AccessAccept
    assert reply.raw_packet[20] == 80  # Message-Authenticator comes first
    got = attributes(reply)
    assert got["Mikrotik-Rate-Limit"] == "2M/4M"
    assert got["Idle-Timeout"] == 600
    assert got["Acct-Interim-Interval"] == 300
    assert 0 < got["Session-Timeout"] <= 120 * 60
    total = (got["Mikrotik-Total-Limit-Gigawords"] << 32) + got["Mikrotik-Total-Limit"]
    assert total == 1024 * 1_000_000
    grant_class = got["Class"].decode()
    assert grant_class.startswith("wd:g:") and MAC not in grant_class


@pytest.mark.parametrize(("backhaul", "minutes"), [("satellite", 15), ("radio", 10), ("fibre", 5)])
def test_the_interim_interval_follows_the_gateways_backhaul(
    make_gateway, make_grant, radius_server, router, backhaul, minutes
):
    """The Access-Accept asks for the interval the .rsc gives the router's profile: the
    policy's 5 minutes, lengthened on slow links (whichever of the two the router obeys,
    field checklist S2)."""
    gateway = make_gateway(backhaul_class=backhaul)
    issued = make_grant(gateway, MAC)
    nas = router(radius_server(), gateway)

    reply = nas.send(nas.access_request(issued.username, issued.password, mac=MAC))

    assert reply.code == packet.AccessAccept
    assert attributes(reply)["Acct-Interim-Interval"] == minutes * 60


def test_wrong_password_is_rejected_in_bahasa_after_a_delay(
    make_gateway, make_grant, radius_server, router
):
    gateway = make_gateway()
    issued = make_grant(gateway, MAC)
    server = radius_server(reject_delay=1.0)
    nas = router(server, gateway, timeout=3)

    started = time.monotonic()
    reply = nas.send(nas.access_request(issued.username, "salah", mac=MAC))

    assert reply.code == packet.AccessReject
    assert time.monotonic() - started >= 0.9
    assert reply.raw_packet[20] == 80  # Message-Authenticator comes first
    assert "salah" in reply["Reply-Message"][0]


def test_reject_delay_does_not_hold_up_other_residents(
    make_gateway, make_grant, radius_server, router
):
    gateway = make_gateway()
    good = make_grant(gateway, MAC)
    server = radius_server(reject_delay=1.0)
    nas = router(server, gateway, timeout=3)
    sock_client = nas.client()
    bad = nas.access_request(good.username, "salah", mac=MAC)
    sock_client._SocketOpen()
    sock_client._socket.sendto(bad.RequestPacket(), ("127.0.0.1", server.auth_port))

    started = time.monotonic()
    reply = nas.send(nas.access_request(good.username, good.password, mac=MAC))

    assert reply.code == packet.AccessAccept
    assert time.monotonic() - started < 0.8  # well under the 1 s the reject waits
    sock_client._CloseSocket()


def test_wrong_secret_gets_no_reply(make_gateway, make_grant, radius_server, router):
    gateway = make_gateway()
    issued = make_grant(gateway, MAC)
    server = radius_server()
    nas = router(server, gateway)
    nas.secret = b"not-the-secret-of-this-gateway"

    assert nas.send(nas.access_request(issued.username, issued.password), timeout=0.5) is None
    assert server.metrics.drops.labels("bad-message-authenticator")._value.get() == 1


def test_missing_message_authenticator_is_dropped(make_gateway, make_grant, radius_server, router):
    gateway = make_gateway()
    issued = make_grant(gateway, MAC)
    server = radius_server()
    nas = router(server, gateway)

    request = nas.access_request(issued.username, issued.password, message_authenticator=False)
    assert nas.send(request, timeout=0.5) is None
    assert server.metrics.drops.labels("missing-message-authenticator")._value.get() == 1


@pytest.fixture
def legacy(make_gateway, make_grant, radius_server, router):
    """A gateway that does not require a Message-Authenticator: its server, its router
    and a grant for MAC."""
    gateway = make_gateway(require_message_authenticator=False)
    issued = make_grant(gateway, MAC)
    server = radius_server()
    return server, router(server, gateway), issued


def test_legacy_gateway_may_omit_message_authenticator(legacy):
    _server, nas, issued = legacy

    request = nas.access_request(issued.username, issued.password, message_authenticator=False)
    reply = nas.send(request)
    assert reply.code == packet.AccessAccept
    assert reply.raw_packet[20] == 80  # Message-Authenticator comes first


def test_proxy_state_without_message_authenticator_is_dropped_even_for_a_legacy_gateway(legacy):
    """AT-03: Proxy-State is where a BlastRADIUS forgery hides its MD5 collision."""
    server, nas, issued = legacy

    request = nas.access_request(issued.username, issued.password, message_authenticator=False)
    request["Proxy-State"] = b"\x01\x02"
    assert nas.send(request, timeout=0.5) is None
    reason = "proxy-state-without-message-authenticator"
    assert server.metrics.drops.labels(reason)._value.get() >= 1
    signed = nas.access_request(issued.username, issued.password)
    signed["Proxy-State"] = b"\x01\x02"  # with a Message-Authenticator: fine, and echoed
    reply = nas.send(signed)
    assert reply.code == packet.AccessAccept
    assert reply["Proxy-State"] == [b"\x01\x02"]


def test_unknown_client_is_dropped_and_counted(make_gateway, make_grant, radius_server, router):
    gateway = make_gateway()
    issued = make_grant(gateway, MAC)
    server = radius_server()
    nas = router(server, gateway)
    nas.nas_identifier = "desa-tidak-dikenal"

    assert nas.send(nas.access_request(issued.username, issued.password), timeout=0.5) is None
    assert server.metrics.drops.labels("unknown-client")._value.get() >= 1


def test_a_wildcard_source_in_the_database_serves_no_one(
    make_gateway, make_grant, radius_server, router
):
    """AT-05: a row the console would refuse (written by hand, or by an old version)."""
    gateway = make_gateway(source_address="0.0.0.0/0")
    issued = make_grant(gateway, MAC)
    server = radius_server()
    nas = router(server, gateway)

    assert nas.send(nas.access_request(issued.username, issued.password), timeout=0.5) is None
    assert server.metrics.drops.labels("unknown-client")._value.get() >= 1


def test_a_rotated_secret_takes_effect_without_a_restart(
    make_gateway, make_grant, radius_server, router, db
):
    gateway = make_gateway()
    server = radius_server()
    old = router(server, gateway)
    first = make_grant(gateway, MAC)
    assert old.send(old.access_request(first.username, first.password)).code == packet.AccessAccept
    with db() as session:
        session.get(Gateway, gateway.id).secret = "rahasia-baru-setelah-rotasi-1234"
        session.commit()
    gateway.secret = "rahasia-baru-setelah-rotasi-1234"
    new = router(server, gateway, timeout=0.5, retries=20)  # the cache reloads within seconds
    second = make_grant(gateway, "BC:24:11:EB:56:4E")
    reply = new.send(new.access_request(second.username, second.password, mac="BC:24:11:EB:56:4E"))
    assert reply is not None and reply.code == packet.AccessAccept
    third = make_grant(gateway, "BC:24:11:EB:56:4F")
    stale = old.access_request(third.username, third.password, mac="BC:24:11:EB:56:4F")
    assert old.send(stale, timeout=0.5) is None  # signed with the old secret: dropped


def test_gateway_added_while_running_is_served(make_gateway, make_grant, radius_server, router):
    make_gateway()
    server = radius_server()
    later = make_gateway("desa-baru", secret="rahasia-gateway-baru-1234")
    issued = make_grant(later, MAC)
    nas = router(server, later, timeout=0.5, retries=4)  # a router resends until answered

    reply = nas.send(nas.access_request(issued.username, issued.password))
    assert reply.code == packet.AccessAccept


def test_two_gateways_behind_one_address_use_their_own_secrets(
    make_gateway, make_grant, radius_server, router
):
    first = make_gateway("desa-satu")
    second = make_gateway("desa-dua")
    server = radius_server()
    for gateway in (first, second):
        issued = make_grant(gateway, MAC)
        nas = router(server, gateway)
        assert nas.send(nas.access_request(issued.username, issued.password)).code == 2


def test_grant_is_bound_to_the_device(make_gateway, make_grant, radius_server, router):
    gateway = make_gateway()
    issued = make_grant(gateway, MAC)
    server = radius_server()
    nas = router(server, gateway)

    reply = nas.send(nas.access_request(issued.username, issued.password, mac="00:11:22:33:44:55"))
    assert reply.code == packet.AccessReject


def test_repeat_from_same_device_within_a_minute_is_accepted_but_not_after(
    make_gateway, make_grant, radius_server, router, db
):
    gateway = make_gateway()
    issued = make_grant(gateway, MAC)
    server = radius_server()
    nas = router(server, gateway)

    first = nas.send(nas.access_request(issued.username, issued.password))
    again = nas.send(nas.access_request(issued.username, issued.password))  # new id
    assert first.code == again.code == packet.AccessAccept
    assert attributes(first)["Class"] == attributes(again)["Class"]
