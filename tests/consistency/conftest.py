"""The consistency day: the RADIUS tests' databases (SQLite and PostgreSQL) and server,
the portal over the same database, and the day's world made through `portal.world`."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pyotp
import pytest
from sqlalchemy.orm import sessionmaker

from portal import create_app
from portal.config import Settings
from portal.database import db as flask_db
from portal.world import World
from tests.consistency.day import BUSUI, HOTSPOT_HOSTS, NOW, SAMURANGAU, Day, log_in_at
from tests.radius.conftest import (  # noqa: F401 (fixtures are found by name)
    _loopback_only,
    db,
    radius_server,
    settings,
)
from tests.radius.mikrotik import Router
from tests.radius.nas_listener import NasListener

BALAI_SECRET = "consistency-balai-secret-0001"
PASSWORD = "kata-sandi-petugas-kab"


@pytest.fixture
def day(settings: Settings, db: sessionmaker, radius_server) -> Iterator[Day]:  # noqa: F811
    listener = NasListener(BALAI_SECRET.encode())
    totp = pyotp.random_base32()
    with db() as session:
        world = World(session, now=NOW, master_key=settings.secret_key)
        world.village(SAMURANGAU)
        kantor = world.gateway(SAMURANGAU, "samurangau-kantor",
                               hotspot_host=HOTSPOT_HOSTS["samurangau-kantor"])  # fmt: skip
        balai = world.gateway(
            SAMURANGAU, "samurangau-balai", hotspot_host=HOTSPOT_HOSTS["samurangau-balai"],
            secret=BALAI_SECRET, coa_port=listener.port,
        )  # fmt: skip
        world.gateway(BUSUI, "busui-kantor")  # never heard from
        world.policy("64.01", daily_mb=100, daily_minutes=240, on_exhausted="reject")
        world.terms("64.01")
        (voucher,) = world.vouchers(SAMURANGAU, 1, daily_mb=500)
        world.admin("kab", "regency", "64.01", password=PASSWORD, totp_secret=totp)
        token = world.token("64.01", label="konsistensi").token
        session.commit()
    server = radius_server(clock=lambda: NOW)
    app = create_app(replace(settings, clock=lambda: NOW))
    officer = app.test_client()
    log_in_at(officer, "kab", PASSWORD, totp)
    yield Day(
        portal=app.test_client(),
        admin=officer,
        kantor=kantor,
        balai=balai,
        kantor_router=Router(
            server.auth_port, server.acct_port, kantor.secret.encode(), kantor.nas_identifier
        ),
        balai_router=Router(
            server.auth_port, server.acct_port, BALAI_SECRET.encode(), balai.nas_identifier
        ),
        listener=listener,
        voucher=voucher,
        api_token=token,
    )
    listener.close()
    with app.app_context():
        flask_db.session.remove()
        flask_db.engine.dispose()
