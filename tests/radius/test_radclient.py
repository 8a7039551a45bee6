"""The RADIUS scenarios again, sent with FreeRADIUS's radclient: a client no one here wrote.

Requests are shaped like a RouterOS 7 hotspot's (reference §2.2 and §2.5; see
`tests.radius.radclient`). Covered: CHAP and PAP logins, wrong password, a spent daily
quota, a voucher bound to its first device, accounting with gigawords, Accounting-On
after a reboot; what must get no reply (another secret, a missing Message-Authenticator,
an unknown gateway), proved by the server's drop counters; and duplicates, from
radclient's own resends of the identical packet.
"""

from __future__ import annotations

import shutil
from datetime import datetime

import pytest
import sqlalchemy as sa

from portal.models import AccountingSession, UsageDaily, Voucher
from tests.radius.mikrotik import GIB4
from tests.radius.radclient import (
    MAC,
    NAS_ID,
    LossyLink,
    acct,
    answered,
    assert_dropped_unanswered,
    auth,
    duplicates,
    eventually,
    hotspot_accounting,
    hotspot_login,
    unanswered,
)

OTHER_MAC = "02:00:00:00:00:07"
WRONG = "Kode atau kata sandi salah. Silakan coba lagi."
pytestmark = pytest.mark.skipif(
    shutil.which("radclient") is None,
    reason="radclient not on PATH (install freeradius-utils to run these tests)",
)


# -- logins ----------------------------------------------------------------------------------


@pytest.mark.parametrize("pap", [False, True], ids=["chap", "pap"])
def test_radclient_login(make_gateway, make_grant, radius_server, pap):
    """A portal grant logs in with CHAP and with PAP and gets the fair-use attributes."""
    gateway = make_gateway()
    issued = make_grant(gateway, MAC)
    server = radius_server()

    done = auth(server, gateway.secret, hotspot_login(issued.username, issued.password, pap=pap))

    assert done.code == "Access-Accept", done
    assert done.reply["Mikrotik-Rate-Limit"] == "2M/4M"
    assert done.reply["Idle-Timeout"] == "600"
    assert "Mikrotik-Total-Limit" in done.reply


def test_radclient_wrong_password_is_rejected_in_bahasa(make_gateway, make_grant, radius_server):
    """A wrong password gets an Access-Reject that tells the resident so, in Indonesian."""
    gateway = make_gateway()
    issued = make_grant(gateway, MAC)
    server = radius_server()

    done = auth(server, gateway.secret, hotspot_login(issued.username, "x"))

    assert done.code == "Access-Reject"
    assert done.reply["Reply-Message"] == WRONG


@pytest.mark.parametrize(
    ("kind", "reason"),
    [("auth", "bad-message-authenticator"), ("acct", "bad-authenticator")],
)
def test_radclient_wrong_secret_is_dropped_by_the_server(
    make_gateway, make_grant, radius_server, kind, reason
):
    """radclient would discard a reply signed with the gateway's secret by itself, so the
    server's counters prove the drop: each of the two copies is dropped, none answered."""
    gateway = make_gateway()
    issued = make_grant(gateway, MAC)
    server = radius_server()
    send, request = (
        (auth, hotspot_login(issued.username, issued.password))
        if kind == "auth"
        else (acct, hotspot_accounting("Start"))
    )

    done = unanswered(send, server, "not-the-right-secret", request, attempts=2)

    assert done.sent == 2
    assert_dropped_unanswered(server, reason, done)


def test_radclient_without_message_authenticator_is_dropped(
    make_gateway, make_grant, radius_server
):
    """A gateway that requires it (the default, BlastRADIUS) gets no reply without one.
    (radclient 3.2.1 adds none unless asked; a later one that always does fails here.)"""
    gateway = make_gateway()
    issued = make_grant(gateway, MAC)
    server = radius_server()
    request = hotspot_login(issued.username, issued.password, message_authenticator=False)

    done = unanswered(auth, server, gateway.secret, request)

    assert_dropped_unanswered(server, "missing-message-authenticator", done)


@pytest.mark.parametrize("require", [True, False], ids=["requiring", "legacy"])
def test_radclient_eap_message_without_message_authenticator_is_discarded(
    make_gateway, make_grant, radius_server, require
):
    """RFC 3579 section 3.2: an Access-Request with EAP-Message and no
    Message-Authenticator is silently discarded, also from a legacy gateway that may
    otherwise omit it (it used to get a signed Access-Reject)."""
    gateway = make_gateway(require_message_authenticator=require)
    issued = make_grant(gateway, MAC)
    server = radius_server()
    request = hotspot_login(issued.username, issued.password, message_authenticator=False)
    request = request.replace("\n", ", EAP-Message = 0x0201000a01646573610a\n")

    done = unanswered(auth, server, gateway.secret, request)

    assert_dropped_unanswered(server, "eap-message-without-message-authenticator", done)


def test_radclient_unknown_gateway_is_dropped(make_gateway, make_grant, radius_server):
    """A NAS-Identifier no gateway has, even with a known gateway's secret: no reply."""
    gateway = make_gateway()
    issued = make_grant(gateway, MAC)
    server = radius_server()
    request = hotspot_login(issued.username, issued.password, nas_identifier="desa-tidak-dikenal")

    done = unanswered(auth, server, gateway.secret, request)

    assert_dropped_unanswered(server, "unknown-client", done)


@pytest.mark.parametrize(("timezone", "nas_identifier"), [("WITA", NAS_ID), ("WIB", "desa-wib")])
def test_radclient_spent_quota_names_the_local_reset_time(
    make_gateway, make_grant, spend, radius_server, db, timezone, nas_identifier
):
    """A device whose data for the local day is spent is refused until local midnight."""
    gateway = make_gateway(nas_identifier, timezone=timezone)
    now = datetime(2026, 11, 22, 3, 0)  # 11.00 WITA, 10.00 WIB
    spend(gateway, MAC, now)
    issued = make_grant(gateway, MAC, now=now)
    server = radius_server(clock=lambda: now)
    request = hotspot_login(issued.username, issued.password, nas_identifier=nas_identifier)

    done = auth(server, gateway.secret, request)

    assert done.code == "Access-Reject"
    assert done.reply["Reply-Message"] == (
        f"Kuota harian Anda sudah habis. Coba lagi besok pukul 00.00 {timezone}."
    )
    with db() as session:
        assert session.scalar(sa.select(UsageDaily.quota_refusals)) == 1


def test_radclient_voucher_is_bound_to_the_first_device(
    make_gateway, make_vouchers, radius_server, db
):
    """A voucher works from the device that used it first, and from no other."""
    gateway = make_gateway()
    (code,) = make_vouchers(gateway.village_kode, daily_mb=5000)
    server = radius_server()

    first, other, again = (
        auth(server, gateway.secret, hotspot_login(code, code, mac=mac))
        for mac in (MAC, OTHER_MAC, MAC)
    )

    assert first.code == again.code == "Access-Accept"
    assert first.reply["Class"].startswith("0x" + b"wd:v:".hex())
    assert other.code == "Access-Reject"
    assert other.reply["Reply-Message"] == "Voucher ini sudah dipakai di perangkat lain."
    with db() as session:
        assert session.scalar(sa.select(Voucher.bound_device)) is not None
        assert session.scalar(sa.select(UsageDaily.vouchers_redeemed)) == 1


# -- duplicates: radclient's own retransmissions ----------------------------------------------


def test_radclient_resends_during_the_reject_delay_are_processed_once(
    make_gateway, make_grant, radius_server
):
    """The reject for a wrong password waits 2.5 s, so radclient resends the identical
    packet; the copies are recognised as duplicates and the request handled once."""
    gateway = make_gateway()
    issued = make_grant(gateway, MAC)
    server = radius_server(reject_delay=2.5)

    done = auth(server, gateway.secret, hotspot_login(issued.username, "x"), timeout=0.5, retries=6)

    assert done.code == "Access-Reject" and done.reply["Reply-Message"] == WRONG
    assert done.sent >= 2, "radclient did not resend within the reject delay"
    eventually(lambda: duplicates(server) >= done.sent - 1)
    assert duplicates(server) == done.sent - 1
    assert answered(server) == {"access/wrong-password": 1}


def test_radclient_resend_after_a_lost_accept_gets_the_cached_reply(
    make_gateway, make_grant, radius_server
):
    """The Accept for a grant is lost on the way; radclient's identical resend gets the
    very same reply from the cache, and the grant is used once. (A resend that comes
    before the first reply is sent is a duplicate too, answered by nothing.)"""
    gateway = make_gateway()
    issued = make_grant(gateway, MAC)
    server = radius_server()
    request = hotspot_login(issued.username, issued.password)

    with LossyLink(server.auth_port) as link:
        done = auth(link, gateway.secret, request, timeout=0.5, retries=6)

    assert done.code == "Access-Accept"
    assert len(link.replies) == 2 and link.replies[0] == link.replies[1]
    assert done.sent >= 2 and duplicates(server) == done.sent - 1
    assert answered(server) == {"access/accept": 1}


# -- accounting --------------------------------------------------------------------------------


def test_radclient_accounting_with_gigawords(make_gateway, radius_server, db):
    """An Interim-Update with counters above 4 GiB, sent twice: stored once, combined."""
    gateway = make_gateway()
    server = radius_server()
    interim = hotspot_accounting(
        "Interim-Update", seconds=120, input_octets=10, output_octets=2 * GIB4 + 5
    )
    for _ in range(2):
        assert acct(server, gateway.secret, interim).code == "Accounting-Response"

    with db() as session:
        row = session.scalars(sa.select(AccountingSession)).one()
    assert row.output_octets == 2 * GIB4 + 5 and row.input_octets == 10


def test_radclient_accounting_on_closes_the_gateways_open_sessions(make_gateway, radius_server, db):
    """A rebooted router's Accounting-On ends its own open sessions, not a neighbour's."""
    gateway = make_gateway()
    neighbour = make_gateway("desa-tetangga")
    server = radius_server()

    def send(nas, request: str) -> None:
        assert acct(server, nas.secret, request).code == "Accounting-Response"

    send(gateway, hotspot_accounting("Start", session_id="80100001"))
    send(gateway, hotspot_accounting("Start", session_id="80100002"))
    send(neighbour, hotspot_accounting("Start", nas_identifier="desa-tetangga"))

    def sessions() -> list[AccountingSession]:
        with db() as session:
            return session.scalars(
                sa.select(AccountingSession).order_by(AccountingSession.id)
            ).all()

    assert [row.stopped_at for row in sessions()] == [None, None, None]

    send(gateway, hotspot_accounting("Accounting-On"))

    rows = sessions()
    assert [row.terminate_cause for row in rows] == ["NAS-Reboot", "NAS-Reboot", None]
    assert [row.stopped_at is not None for row in rows] == [True, True, False]
    assert [row.framed_ip for row in rows] == [None, None, "10.5.88.2"]
