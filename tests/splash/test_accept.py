"""Accepting the terms or redeeming a voucher: the credential, the record, the redirect,
and refusal of forged, replayed and expired tickets."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from portal.config import utcnow
from portal.database import db
from portal.domain.access import admission, grants, vouchers
from portal.models import DeviceDay, LoginGrant, TermsAcceptance, UsageDaily, UsageHourly
from tests.clock import set_clock
from tests.splash.conftest import CHAP_CHALLENGE, CHAP_ID, World, ticket_of


def _count(app: Flask, model: type) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


def _query_of(location: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


def _query(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {
        key: values[0]
        for key, values in parse_qs(urlsplit(response.headers["Location"]).query).items()
    }


def test_accept_redirects_to_the_router_with_a_chap_response(
    portal_app: Flask, portal_client: FlaskClient, world: World, open_splash
) -> None:
    accepted = portal_client.post("/hotspot/accept", data={"t": ticket_of(open_splash())})
    assert accepted.status_code == 303
    location = accepted.headers["Location"]
    assert location.startswith("http://10.5.50.1/login?")
    query = _query(accepted)
    assert query["popup"] == "false" and query["dst"] == "http://example.com/berita"
    secret = grants.grant_password(world.settings.secret_key, query["username"])
    expected = hashlib.md5(CHAP_ID + secret.encode() + CHAP_CHALLENGE).hexdigest()  # noqa: S324
    assert query["password"] == expected
    with portal_app.app_context():
        grant = db.session.scalar(sa.select(LoginGrant))
        assert grant.username == query["username"] and grant.gateway_id == world.gateway_id
        assert grant.terms_version_id == world.terms_id and grant.used_at is None
        # The grant carries the acceptance to RADIUS; nothing is counted before the
        # router logs in with it (tests/splash/test_fake_accepts.py).
        assert _count(portal_app, TermsAcceptance) == 0
        assert _count(portal_app, UsageDaily) == _count(portal_app, UsageHourly) == 0
        assert _count(portal_app, DeviceDay) == 0


def test_without_chap_the_plain_one_time_secret_goes_to_the_router(
    portal_client: FlaskClient, world: World, open_splash
) -> None:
    page = open_splash(chap_id="", chap_challenge="", link_orig="javascript:alert(1)")
    query = _query(portal_client.post("/hotspot/accept", data={"t": ticket_of(page)}))
    assert query["password"] == grants.grant_password(world.settings.secret_key, query["username"])
    assert query["dst"].startswith("http://portal.test/hotspot/status?s=")


def test_two_acceptances_issue_two_grants_and_count_nothing_yet(
    portal_app: Flask, portal_client: FlaskClient, world: World, open_splash
) -> None:
    for mac in ("AA:BB:CC:DD:EE:01", "AA:BB:CC:DD:EE:02"):
        page = open_splash(mac=mac)
        assert portal_client.post("/hotspot/accept", data={"t": ticket_of(page)}).status_code == 303
    assert _count(portal_app, LoginGrant) == 2
    assert _count(portal_app, TermsAcceptance) == _count(portal_app, DeviceDay) == 0


def test_a_double_tap_gets_the_same_redirect_and_issues_nothing_new(
    portal_app: Flask, portal_client: FlaskClient, world: World, open_splash
) -> None:
    ticket = ticket_of(open_splash())
    first = portal_client.post("/hotspot/accept", data={"t": ticket})
    second = portal_client.post("/hotspot/accept", data={"t": ticket})
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert _count(portal_app, LoginGrant) == 1


def test_a_replayed_ticket_is_refused_once_used_or_late(
    portal_app: Flask,
    portal_client: FlaskClient,
    world: World,
    open_splash,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    used = ticket_of(open_splash())
    location = portal_client.post("/hotspot/accept", data={"t": used}).headers["Location"]
    with portal_app.app_context():  # the router logged in with it (RADIUS marks it used)
        grant = db.session.scalar(sa.select(LoginGrant))
        grants.use_grant(
            db.session,
            username=_query_of(location)["username"],
            gateway_id=world.gateway_id,
            device=grant.device,
            now=utcnow(),
        )
        db.session.commit()
    replay = portal_client.post("/hotspot/accept", data={"t": used})
    assert replay.status_code == 400
    html = replay.get_data(as_text=True)
    assert "hanya bisa dipakai sekali" in html and 'href="http://10.5.50.1/login"' in html

    late = ticket_of(open_splash(mac="AA:BB:CC:DD:EE:02"))
    assert portal_client.post("/hotspot/accept", data={"t": late}).status_code == 303
    later = utcnow() + admission.REPEAT_WINDOW + timedelta(seconds=5)
    set_clock(portal_app, lambda: later)
    assert portal_client.post("/hotspot/accept", data={"t": late}).status_code == 400
    assert _count(portal_app, LoginGrant) == 2


def _tamper(token: str) -> list[str]:
    payload, stamp, signature = token.rsplit(".", 2)
    flipped = signature[:-2] + ("AA" if signature[-2:] != "AA" else "BB")
    return [
        "",
        "garbage",
        f"{payload}.{stamp}.{flipped}",
        f"{payload[:-4]}AAAA.{stamp}.{signature}",
        token[:-1],
    ]


def test_forged_tickets_are_refused(
    portal_app: Flask, portal_client: FlaskClient, world: World, open_splash
) -> None:
    token = ticket_of(open_splash())
    for forged in _tamper(token):
        answer = portal_client.post("/hotspot/accept", data={"t": forged})
        assert answer.status_code == 400, forged
    # A ticket signed with another installation's key, or swapped to another device.
    ticket = admission.open_ticket(token, world.settings.secret_key)
    other = admission.sign_ticket(ticket, "another-installation-key-0000000000000000")
    assert portal_client.post("/hotspot/accept", data={"t": other}).status_code == 400
    assert portal_client.get(f"/hotspot?t={other}").status_code == 400
    assert _count(portal_app, LoginGrant) == 0


def test_an_expired_ticket_is_refused_with_a_way_back(
    portal_client: FlaskClient, world: World, open_splash, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = ticket_of(open_splash())
    monkeypatch.setattr(admission, "TICKET_MAX_AGE", -1)
    monkeypatch.setattr(admission.open_ticket, "__kwdefaults__", {"max_age": -1})
    answer = portal_client.post("/hotspot/accept", data={"t": token})
    assert answer.status_code == 400
    html = answer.get_data(as_text=True)
    assert "lebih dari 15 menit" in html and 'href="http://10.5.50.1/login"' in html


@pytest.fixture
def voucher_codes(portal_app: Flask, world: World):  # type: ignore[no-untyped-def]
    """Three codes: usable, from an expired batch, from a voided batch."""
    now = utcnow()
    with portal_app.app_context():
        session = db.session
        key = world.settings.secret_key
        _, (good,) = vouchers.create_batch(
            session, village_kode=world.village_kode, count=1, valid_days=7, now=now, master_key=key
        )
        _, (old,) = vouchers.create_batch(
            session,
            village_kode=world.village_kode,
            count=1,
            valid_days=1,
            now=now - timedelta(days=2),
            master_key=key,
        )
        voided_batch, (voided,) = vouchers.create_batch(
            session, village_kode=world.village_kode, count=1, valid_days=7, now=now, master_key=key
        )
        vouchers.void_batch(session, voided_batch, now=now)
        session.commit()
    return {"good": good, "expired": old, "voided": voided}


def test_a_voucher_logs_in_with_the_code_itself(
    portal_app: Flask, portal_client: FlaskClient, world: World, open_splash, voucher_codes
) -> None:
    code = voucher_codes["good"]
    typed = f" {code[:5].lower()} - {code[5:]} "
    answer = portal_client.post(
        "/hotspot/accept", data={"t": ticket_of(open_splash()), "kind": "voucher", "voucher": typed}
    )
    assert answer.status_code == 303
    query = _query(answer)
    assert query["username"] == code
    assert query["password"] == hashlib.md5(CHAP_ID + code.encode() + CHAP_CHALLENGE).hexdigest()  # noqa: S324
    with portal_app.app_context():
        grant = db.session.scalar(sa.select(LoginGrant))
        assert grant.voucher_id is not None  # the ticket's one-use marker


@pytest.mark.parametrize(
    ("which", "explained"),
    [
        ("unknown", "Kode voucher tidak dikenal"),
        ("expired", "Masa berlaku voucher ini sudah habis"),
        ("voided", "sudah dibatalkan"),
        ("empty", "Kode voucher tidak dikenal"),
    ],
)
def test_an_unusable_voucher_is_explained_and_nothing_is_consumed(
    portal_app: Flask,
    portal_client: FlaskClient,
    world: World,
    open_splash,
    voucher_codes,
    which: str,
    explained: str,
) -> None:
    code = {"unknown": "ABCDE-FGHJK", "empty": "", **voucher_codes}[which]
    token = ticket_of(open_splash())
    answer = portal_client.post(
        "/hotspot/accept", data={"t": token, "kind": "voucher", "voucher": code}
    )
    assert answer.status_code == 200  # so that a wrong code's failure is counted (throttle)
    html = answer.get_data(as_text=True)
    assert explained in html and 'aria-invalid="true"' in html
    assert _count(portal_app, LoginGrant) == 0 and _count(portal_app, TermsAcceptance) == 0
    # The same page can still be accepted without a voucher.
    assert portal_client.post("/hotspot/accept", data={"t": token}).status_code == 303


def test_a_page_shown_before_local_midnight_cannot_be_accepted_after_it(
    portal_client: FlaskClient, world: World, open_splash, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = ticket_of(open_splash())
    tomorrow = utcnow() + timedelta(days=1)
    set_clock(portal_client.application, lambda: tomorrow)
    answer = portal_client.post("/hotspot/accept", data={"t": token})
    assert answer.status_code == 400 and 'href="http://10.5.50.1/login"' in answer.text
