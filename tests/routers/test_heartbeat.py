"""The contract between the router's scheduler and the portal (docs/field-checklist.md,
"Heartbeat contract"): ``POST /mt/<nas-id>/heartbeat`` with ``token`` and ``pages``
(and after an outage its report) answers one line of text/plain, ``ok`` or
``fetch <version>``; the report is recorded once per outage id."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from portal.database import db
from portal.domain.reporting import figures
from portal.models import Gateway, GatewayOutage, GatewayUptime, Village
from portal.world import World as Factory
from tests.clock import set_clock
from tests.routers.conftest import NOW
from tests.splash.conftest import NAS_ID, World

REPORT = {
    "outage": "o1795305600",
    "emergency_logins": "7",
    "emergency_seconds": "5400",
    "emergency_bytes": "123456789",
    "outage_minutes": "30",
}


@pytest.fixture
def token(portal_app: Flask, world: World) -> str:
    with portal_app.app_context():
        return db.session.get(Gateway, world.gateway_id).heartbeat_token


def beat(client: FlaskClient, token: str, pages: str = "", nas: str = NAS_ID, **extra: str):
    return client.post(f"/mt/{nas}/heartbeat", data={"token": token, "pages": pages, **extra})


def current_version(client: FlaskClient) -> str:
    return client.get(f"/mt/{NAS_ID}/hotspot/login.html").headers["X-Pages-Version"]


def test_a_router_without_pages_is_told_to_fetch_then_ok(portal_client, world, token):
    first = beat(portal_client, token)
    assert first.status_code == 200 and first.mimetype == "text/plain"
    version = current_version(portal_client)
    assert first.get_data(as_text=True) == f"fetch {version}"
    assert len(version) == 12 and int(version, 16) >= 0
    again = beat(portal_client, token, pages=version)
    assert again.status_code == 204 and again.data == b""  # nothing to do
    assert beat(portal_client, token, pages="0" * 12).get_data(as_text=True) == f"fetch {version}"
    assert beat(portal_client, token, pages="<x>").get_data(as_text=True) == f"fetch {version}"
    # Ten-minute heartbeats with nothing changed: ~10 KB a day of form, and an empty
    # answer with no page policies, no session and no Vary (a router holds no cookie).
    assert 144 * (len("token=&pages=") + len(token) + 12) < 12_000
    assert not again.headers  # the server adds its Date and Server, a proxy may add its own
    fetch = beat(portal_client, token, pages="0" * 12)
    assert sorted(fetch.headers.keys()) == [
        "Content-Length",
        "Content-Type",
        "X-Content-Type-Options",
    ]
    assert fetch.headers["X-Content-Type-Options"] == "nosniff"


def test_machine_answers_leave_the_pages_their_policies(portal_client, world, token):
    """A browser opening a router file sees text; the portal's own pages keep every
    policy and the session's Vary."""
    file = portal_client.get(f"/mt/{NAS_ID}/hotspot/login.html")
    assert file.mimetype == "text/plain" and file.headers["X-Content-Type-Options"] == "nosniff"
    assert "Set-Cookie" not in file.headers and "Vary" not in file.headers
    page = portal_client.get("/admin/login")
    assert page.status_code == 200
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Frame-Options"] == "DENY"
    assert "Cookie" in page.headers.get("Vary", "")


def test_the_version_follows_the_files_and_the_router_is_recorded(
    portal_app: Flask, portal_client, world, token
):
    version = current_version(portal_client)
    assert current_version(portal_client) == version  # same content, same bytes
    beat(portal_client, token, pages=version)
    with portal_app.app_context():
        gateway = db.session.get(Gateway, world.gateway_id)
        assert gateway.pages_held == version and gateway.last_seen_at == NOW


def test_an_emergency_announcement_makes_the_next_answer_fetch(
    portal_app: Flask, portal_client, world, token
):
    version = current_version(portal_client)
    assert beat(portal_client, token, pages=version).status_code == 204
    later = NOW + timedelta(minutes=3)
    set_clock(portal_app, lambda: later)
    with portal_app.app_context():
        village = db.session.get(Village, world.village_kode)
        Factory(db.session, now=later, master_key="").announcement(
            village, "Banjir: mengungsi ke balai desa", "Air naik di RT 02.", emergency=True
        )
        db.session.commit()
    answer = beat(portal_client, token, pages=version).get_data(as_text=True)
    new = current_version(portal_client)
    assert new != version and answer == f"fetch {new}"
    login = portal_client.get(f"/mt/{NAS_ID}/hotspot/login.html").get_data(as_text=True)
    assert login.index("Banjir: mengungsi") < login.index("Musyawarah Desa")


def test_a_gateway_with_the_portal_splash_is_never_told_to_fetch(
    portal_app: Flask, portal_client, world, token
):
    with portal_app.app_context():
        db.session.get(Gateway, world.gateway_id).splash_location = "portal"
        db.session.commit()
    assert beat(portal_client, token).status_code == 204


def test_wrong_or_another_gateways_token_is_refused_and_changes_nothing(
    portal_app: Flask, portal_client, world, token
):
    with portal_app.app_context():
        other = Factory(db.session, now=NOW, master_key="").gateway(world.village_kode, "lain")
        db.session.commit()
        other_token = other.heartbeat_token
    for bad in ("salah", other_token, "", "x" * 200):
        assert beat(portal_client, bad, **REPORT).status_code == 404
    assert beat(portal_client, token, nas="tidak-ada").status_code == 404
    assert (
        portal_client.get(f"/mt/{NAS_ID}/heartbeat", query_string={"token": token}).status_code
        == 405
    )
    with portal_app.app_context():
        assert db.session.get(Gateway, world.gateway_id).last_seen_at is None
        assert db.session.scalar(sa.select(sa.func.count()).select_from(GatewayOutage)) == 0


def test_an_outage_report_is_recorded_once_however_often_it_is_sent(
    portal_app: Flask, portal_client, world, token
):
    for _ in range(2):  # the router's answer was lost: it sends the same report again
        assert beat(portal_client, token, **REPORT).status_code == 200
    with portal_app.app_context():
        (outage,) = db.session.scalars(sa.select(GatewayOutage)).all()
        assert outage.gateway_id == world.gateway_id and outage.village_kode == world.village_kode
        assert (outage.emergency_logins, outage.emergency_seconds, outage.emergency_bytes) == (
            7, 5400, 123456789,
        )  # fmt: skip
        assert outage.started_at == NOW - timedelta(minutes=30) and outage.ended_at == NOW
        day = NOW.date()
        use = figures.emergency_use(db.session, world.village_kode, day, day)
        assert (use.outages, use.logins, use.seconds, use.bytes_) == (1, 7, 5400, 123456789)
        [listed] = figures.outages(db.session, "64.01", NOW - timedelta(days=7), NOW)
        assert listed.minutes == 30 and listed.nas_identifier == NAS_ID
    second = dict(REPORT, outage="o1795400000", emergency_logins="2")
    beat(portal_client, token, **second)
    with portal_app.app_context():
        use = figures.emergency_use(db.session, world.village_kode, NOW.date(), NOW.date())
        assert (use.outages, use.logins) == (2, 9)


@pytest.mark.parametrize(
    "bad",
    [
        {"outage": "o 1"},
        {"outage": "x" * 65},
        {"emergency_logins": "-1"},
        {"emergency_bytes": "1e9"},
        {"outage_minutes": str(31 * 24 * 60 + 1)},
        {"emergency_seconds": "٣"},  # an Arabic-Indic digit: isdigit() but not ASCII
    ],
)
def test_a_malformed_outage_report_is_refused_and_nothing_is_recorded(
    portal_app: Flask, portal_client, world, token, bad
):
    answer = beat(portal_client, token, **(REPORT | bad))
    assert answer.status_code == 400 and answer.get_data(as_text=True).startswith("error ")
    with portal_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(GatewayOutage)) == 0
        assert db.session.get(Gateway, world.gateway_id).last_seen_at is None


def test_uptime_leaves_out_a_reported_outage_and_the_reports_show_it(
    portal_app: Flask, portal_client, world, token
):
    """Heartbeats kept arriving (the portal answered) while the router could not reach
    RADIUS: the outage's buckets are not uptime."""
    with portal_app.app_context():
        for minutes in range(0, 65, 5):
            bucket = NOW - timedelta(minutes=minutes)
            db.session.add(GatewayUptime(gateway_id=world.gateway_id, bucket_start=bucket))
        gateway = db.session.get(Gateway, world.gateway_id)
        gateway.created_at = NOW - timedelta(hours=1)
        db.session.commit()
        before = figures.gateway_states(db.session, "64.01", NOW)[0].uptime_pct
    beat(portal_client, token, **REPORT)
    with portal_app.app_context():
        after = figures.gateway_states(db.session, "64.01", NOW)[0].uptime_pct
    assert before == 100.0
    assert after == pytest.approx(100.0 * 7 / 13)  # 6 buckets of 30 minutes were down


@pytest.mark.parametrize(
    "silent", [(), (70,), range(60, 66)], ids=["every-beat", "one-lost", "an-hour-silent"]
)
def test_a_router_beating_every_ten_minutes_is_up_in_every_bucket(
    portal_app: Flask, portal_client, world, token, silent
):
    """The setup script's scheduler beats every 10 minutes while uptime counts 5-minute
    buckets: a day of heartbeats is 100 % uptime, not 50 %, and so is a day with one
    heartbeat lost on the satellite link; an hour without any stays down (its 13 buckets
    between the last beat before and the first after)."""
    start = NOW - timedelta(days=1)
    with portal_app.app_context():
        db.session.get(Gateway, world.gateway_id).created_at = start
        db.session.commit()
    moment = start
    for k in range(144):
        moment = start + timedelta(minutes=10 * k, seconds=7)
        if k in silent:
            continue
        set_clock(portal_app, lambda at=moment: at)
        assert beat(portal_client, token).status_code in (200, 204)
    with portal_app.app_context():
        uptime = figures.gateway_states(db.session, "64.01", moment)[0].uptime_pct
        assert figures.gateway_states(db.session, "64.01", moment)[0].state == figures.UP
    hour_silent = len(silent) > 1
    assert uptime == (pytest.approx(100.0 * (287 - 13) / 287) if hour_silent else 100.0)


def test_one_lost_heartbeat_leaves_a_router_up_two_mark_it_down(
    portal_app: Flask, portal_client, world, token
):
    """Down after two heartbeats missed and five minutes' grace (25 minutes): one lost on
    a satellite link is normal and must not page an officer."""
    set_clock(portal_app, lambda: NOW)
    assert beat(portal_client, token).status_code in (200, 204)
    with portal_app.app_context():
        state = {
            minutes: figures.gateway_states(db.session, "64.01", NOW + timedelta(minutes=minutes))[
                0
            ].state
            for minutes in (19, 25, 26)
        }
    assert state == {19: figures.UP, 25: figures.UP, 26: figures.DOWN}
