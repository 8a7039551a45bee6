"""Figures only from what happened: accepts on the splash that never lead to a login.

Anyone on a village's Wi-Fi can post the splash's accept with made-up MAC addresses.
A device is one of the day's users once it is online (RADIUS let it on and accounting
saw it), so 1,000 such accepts leave the users and terms figures (what the reports and
the Satu Data export read) where they were, and once their grants expire upkeep
deletes them: the database is no larger. The accepts go through the web path (the
test client), each from its own client address, so a per-address limit on the accept
would not change what is measured; one real login over RADIUS afterwards shows what
does count.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from pyrad import packet

from portal.config import utcnow
from portal.domain.access import grants, throttle, vouchers
from portal.domain.reporting import figures
from portal.maintenance import run_purge
from portal.models import LoginGrant, TermsAcceptance, UsageDaily
from portal.storage import Base, make_engine, make_sessionmaker
from radius.server import start
from tests.radius.mikrotik import Router
from tests.splash.conftest import GATEWAY_SECRET, MAC, NAS_ID, World, router_fields, ticket_of

pytestmark = pytest.mark.slow
ACCEPTS = 1_000


def _rows(sessions) -> dict[str, int]:
    with sessions() as session:
        return {
            table.name: session.scalar(sa.select(sa.func.count()).select_from(table))
            for table in Base.metadata.sorted_tables
        }


def _figures(sessions, now) -> tuple:
    with sessions() as session:
        return (
            sum(u.users_today for u in figures.usage(session, "64", now).values()),
            session.scalar(sa.select(sa.func.coalesce(sa.func.sum(TermsAcceptance.count), 0))),
            session.scalar(sa.select(sa.func.coalesce(sa.func.sum(UsageDaily.terms_accepted), 0))),
        )


def _accept(client: FlaskClient, n: int) -> dict[str, str]:
    """Open the splash and accept as device ``n`` from client address ``n``."""
    mac = f"02:5A:{n >> 16 & 255:02X}:{n >> 8 & 255:02X}:{n & 255:02X}:01"
    environ = {"REMOTE_ADDR": f"10.77.{n >> 8 & 255}.{n & 255}"}
    fields = router_fields(mac=mac, ip=f"10.5.{n >> 8 & 255}.{n & 255}")
    entry = client.post("/hotspot", data=fields, environ_base=environ)
    assert entry.status_code == 303
    page = client.get(entry.headers["Location"], environ_base=environ)
    accepted = client.post("/hotspot/accept", data={"t": ticket_of(page)}, environ_base=environ)
    assert accepted.status_code == 303, accepted.status_code
    query = parse_qs(urlsplit(accepted.headers["Location"]).query)
    return {"username": query["username"][0], "mac": mac}


def test_accepts_without_a_login_leave_the_figures_and_the_database_as_they_were(
    portal_app: Flask, portal_client: FlaskClient, world: World
) -> None:
    settings = world.settings
    engine = make_engine(settings)
    sessions = make_sessionmaker(engine)
    try:
        _accept(portal_client, ACCEPTS + 1)  # the day's pseudonym key exists from here on
        purge_later = utcnow() + grants.GRANT_LIFETIME + timedelta(minutes=1)
        run_purge(sessions, purge_later, settings)
        rows, before = _rows(sessions), _figures(sessions, utcnow())

        for n in range(ACCEPTS):
            _accept(portal_client, n)

        assert _figures(sessions, utcnow()) == before
        assert _rows(sessions)["login_grant"] == rows["login_grant"] + ACCEPTS
        # Once the grants have expired and the phones' accept buckets are full again
        # (nothing is blocked: these were accepts, not guesses), upkeep leaves no trace.
        settled = max(grants.GRANT_LIFETIME, throttle.REFILLED_AFTER) + timedelta(seconds=1)
        run_purge(sessions, utcnow() + settled, settings)
        assert _rows(sessions) == rows
        with sessions() as session:
            assert session.scalar(sa.select(sa.func.count()).select_from(LoginGrant)) == 0

        # What does count: one of them logs in (RADIUS accepts the grant) and accounting
        # sees it online: then it is a user and its terms count. (Its grant was purged: accept
        # again, as the phone would.)
        device = _accept(portal_client, 7)
        server = start(settings, port=0, acct_port=0, reject_delay=0)
        try:
            nas = Router(server.auth_port, server.acct_port, GATEWAY_SECRET.encode(), NAS_ID)
            password = grants.grant_password(settings.secret_key, device["username"])
            request = nas.access_request(device["username"], password, pap=True, mac=device["mac"])
            assert nas.send(request).code == packet.AccessAccept
            assert _figures(sessions, utcnow()) == before  # let on, not online yet
            start_ = nas.accounting_request(1, "81000001", mac=device["mac"],
                                            user_name=device["username"])  # fmt: skip
            assert nas.send(start_).code == packet.AccountingResponse
        finally:
            server.stop()
        # online: one user, and the terms it accepted count
        assert _figures(sessions, utcnow()) == (before[0] + 1, before[1] + 1, before[2] + 1)
    finally:
        engine.dispose()


def test_a_voucher_accepted_on_the_splash_counts_its_terms_once_it_is_online(
    portal_app: Flask, portal_client: FlaskClient, world: World
) -> None:
    settings = world.settings
    engine = make_engine(settings)
    sessions = make_sessionmaker(engine)
    try:
        with sessions() as session:
            _, (code,) = vouchers.create_batch(
                session, village_kode=world.village_kode, count=1, valid_days=7,
                now=utcnow(), master_key=settings.secret_key,
            )  # fmt: skip
            session.commit()
        environ = {"REMOTE_ADDR": "10.77.0.1"}
        entry = portal_client.post("/hotspot", data=router_fields(), environ_base=environ)
        page = portal_client.get(entry.headers["Location"], environ_base=environ)
        form = {"t": ticket_of(page), "kind": "voucher", "voucher": code}
        assert portal_client.post("/hotspot/accept", data=form).status_code == 303
        before = _figures(sessions, utcnow())
        assert before[1:] == (0, 0)  # nothing counted on the splash
        server = start(settings, port=0, acct_port=0, reject_delay=0)
        try:
            nas = Router(server.auth_port, server.acct_port, GATEWAY_SECRET.encode(), NAS_ID)
            for n in range(2):  # a second login the same day counts nothing more
                request = nas.access_request(code, code, pap=True, mac=MAC)
                assert nas.send(request).code == packet.AccessAccept
                start_ = nas.accounting_request(1, f"8100000{n}", mac=MAC, user_name=code)
                assert nas.send(start_).code == packet.AccountingResponse
        finally:
            server.stop()
        assert _figures(sessions, utcnow()) == (1, 1, 1)
        with sessions() as session:
            grant = session.scalars(sa.select(LoginGrant)).one()
            assert grant.used_at is not None  # taken by the login: kept, not purged at once
    finally:
        engine.dispose()
