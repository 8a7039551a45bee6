"""Fixtures for the reports tests: an app per backend, villages, gateways, tokens, login."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest
from flask import Flask, g
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from portal import create_app
from portal.database import db
from portal.models import AdminUser, Gateway, Village
from portal.world import World
from tests.databases import BACKENDS, database_url, migrated_settings

CREATED = datetime(2026, 1, 1)
PASSWORD = "kata-sandi-laporan"


@pytest.fixture(params=BACKENDS)
def app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    """A migrated app on SQLite, then on PostgreSQL (skipped when no server is named)."""
    with database_url(request.param, tmp_path) as url:
        settings = migrated_settings(tmp_path, url)
        application = create_app(settings)
        with application.app_context():
            yield application
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def session(app: Flask) -> Session:
    return db.session


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def world(session: Session, app: Flask) -> World:
    """The test world over the app's session, at `CREATED`; factories commit."""
    return World(session, now=CREATED, master_key=app.extensions["wifidesa.settings"].secret_key)


@pytest.fixture
def make_village(world: World) -> Callable[..., Village]:
    """Register a village by code (names from the official list); returns the row."""

    def make(kode: str) -> Village:
        return world.village(kode)

    return make


@pytest.fixture
def make_gateway(world: World) -> Callable[..., Gateway]:
    def make(village: Village, nas: str, last_seen_at: datetime | None = None) -> Gateway:
        return world.gateway(village.kode, nas, last_seen_at=last_seen_at)

    return make


@pytest.fixture
def make_token(world: World) -> Callable[..., str]:
    """A bearer token for a scope, made as `wifidesa token create` makes it."""

    def make(scope: str, revoked: bool = False) -> str:
        created = world.token(scope, label="test")
        created.record.revoked_at = CREATED if revoked else None
        world.session.commit()
        return created.token

    return make


@pytest.fixture
def make_admin(world: World) -> Callable[..., AdminUser]:
    def make(role: str, scope: str, username: str | None = None) -> AdminUser:
        admin = world.admin(username or f"{role}-{scope}", role, scope, password=PASSWORD)
        world.session.commit()
        return admin

    return make


@pytest.fixture
def login(client: FlaskClient) -> Callable[[AdminUser], None]:
    """Log a test client in as an admin, as the admin console's login leaves the session.

    Sets the console's session values directly (Flask-Login's "id:session_version" and
    the console's session clock) instead of posting the password and TOTP forms, which
    tests/admin covers.
    """

    def log_in(admin: AdminUser) -> None:
        # The test keeps an app context pushed, which requests reuse, so Flask-Login's
        # per-context cache of the user must be dropped when the test switches users.
        g.pop("_login_user", None)
        with client.session_transaction() as flask_session:
            # The admin console's form: "id:session_version", and its session clock.
            flask_session["_user_id"] = f"{admin.id}:{admin.session_version}"
            flask_session["_fresh"] = True
            flask_session["admin_auth_at"] = flask_session["admin_seen_at"] = time.time()

    return log_in
