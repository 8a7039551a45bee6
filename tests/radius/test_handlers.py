"""Access-Request handling with in-memory requests: no sockets, explicit ``now``."""

from __future__ import annotations

import ipaddress
from datetime import timedelta

import pytest

from portal.config import utcnow
from portal.domain.network.policies import set_policy
from radius.authentication import authenticate_batch
from radius.clients import Client
from radius.handlers import AccessRequest as Request
from radius.handlers import Credentials, HandlerContext
from tests.radius.mikrotik import chap

MAC = "BC:24:11:EB:56:4D"


@pytest.fixture
def handle(db, settings):
    def handle(gateway, user_name, credentials, *, mac=MAC, now=None):
        client = Client(
            gateway_id=gateway.id,
            nas_identifier=gateway.nas_identifier,
            village_kode=gateway.village_kode,
            timezone=gateway.timezone,
            secret=gateway.secret.encode(),
            require_message_authenticator=True,
            coa_port=3799,
            network=ipaddress.ip_network("127.0.0.1"),
        )
        request = Request(client, user_name, credentials, mac)
        with db() as session:
            (reply,) = authenticate_batch(
                session, [request], HandlerContext(settings.secret_key), now=now or utcnow()
            )
            session.commit()
        return reply

    return handle


def pap(password):
    return Credentials(password=password)


def test_chap_credentials_match_only_the_right_password():
    response, challenge = chap("rahasia")
    credentials = Credentials(chap_password=response, chap_challenge=challenge)
    assert credentials.matches("rahasia")
    assert not credentials.matches("rahasib")
    assert not Credentials(chap_password=b"short", chap_challenge=challenge).matches("rahasia")
    assert not Credentials().matches("")


def test_expired_and_foreign_grants_are_refused(handle, make_gateway, make_grant):
    gateway, other = make_gateway(), make_gateway("desa-lain")
    now = utcnow()
    issued = make_grant(gateway, MAC, now=now)

    late = handle(gateway, issued.username, pap(issued.password), now=now + timedelta(minutes=6))
    assert (late.accept, late.reason, late.delay) == (False, "grant-expired", True)
    assert "kedaluwarsa" in dict(late.attributes)["Reply-Message"]
    foreign = handle(other, issued.username, pap(issued.password), now=now)
    assert foreign.reason == "grant-wrong-gateway"


def test_grant_used_twice_only_within_the_repeat_window(handle, make_gateway, make_grant):
    gateway = make_gateway()
    now = utcnow()
    issued = make_grant(gateway, MAC, now=now)

    assert handle(gateway, issued.username, pap(issued.password), now=now).accept
    again = handle(gateway, issued.username, pap(issued.password), now=now + timedelta(seconds=50))
    assert again.accept
    later = handle(gateway, issued.username, pap(issued.password), now=now + timedelta(seconds=70))
    assert later.reason == "grant-used"


def test_time_left_caps_session_timeout(handle, make_gateway, make_grant, db):
    gateway = make_gateway()
    now = utcnow().replace(hour=2, minute=0)  # 10.00 WITA: far from midnight
    with db() as session:
        set_policy(session, "64.01", now=now, daily_minutes=30, max_session_minutes=120)
        session.commit()
    issued = make_grant(gateway, MAC, now=now)

    reply = handle(gateway, issued.username, pap(issued.password), now=now)

    assert reply.accept and dict(reply.attributes)["Session-Timeout"] == 30 * 60


def test_no_calling_station_id_is_refused(handle, make_gateway, make_grant):
    gateway = make_gateway()
    issued = make_grant(gateway, MAC)
    reply = handle(gateway, issued.username, pap(issued.password), mac=None)
    assert reply.reason == "no-device" and not reply.accept


def test_voucher_allowance_replaces_the_policy(handle, make_gateway, make_vouchers, db):
    gateway = make_gateway()
    with db() as session:
        set_policy(session, "64.01", now=utcnow(), daily_mb=100)
        session.commit()
    (code,) = make_vouchers(gateway.village_kode, daily_mb=3000, daily_minutes=600)

    reply = handle(gateway, code, pap(code))

    attributes = dict(reply.attributes)
    limit = (attributes["Mikrotik-Total-Limit-Gigawords"] << 32) + attributes[
        "Mikrotik-Total-Limit"
    ]
    assert limit == 3000 * 1_000_000
    assert attributes["Class"].startswith(b"wd:v:")
