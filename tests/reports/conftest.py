"""Fixtures for the reports tests: an app per backend, villages, gateways, tokens, login."""

from __future__ import annotations

import secrets
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
from portal.domain.accounts.tokens import token_hash
from portal.domain.network.regions import default_timezone, lookup_village
from portal.models import AdminUser, ApiToken, Gateway, Village
from tests.databases import BACKENDS, database_url, migrated_settings

CREATED = datetime(2026, 1, 1)


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
def make_village(session: Session) -> Callable[..., Village]:
    """Register a village by code (names from the official list); returns the row."""

    def make(kode: str) -> Village:
        region = lookup_village(kode)
        village = Village(
            kode=region.kode,
            slug=region.kode.replace(".", "-"),
            name=region.nama,
            district_name=region.kecamatan or "",
            regency_name=region.kabupaten or "",
            province_name=region.provinsi,
            timezone=default_timezone(region.kode),
            ssid="WifiDesa",
            created_at=CREATED,
        )
        session.add(village)
        session.flush()
        return village

    return make


@pytest.fixture
def make_gateway(session: Session) -> Callable[..., Gateway]:
    def make(village: Village, nas: str, last_seen_at: datetime | None = None) -> Gateway:
        gateway = Gateway(
            village_kode=village.kode,
            nas_identifier=nas,
            source_address="127.0.0.1",
            secret="s" * 16,
            heartbeat_token=secrets.token_hex(8),
            last_seen_at=last_seen_at,
            created_at=CREATED,
            updated_at=CREATED,
        )
        session.add(gateway)
        session.flush()
        return gateway

    return make


@pytest.fixture
def make_token(session: Session) -> Callable[..., str]:
    """Store a token for a scope the way `wifidesa token create` does; returns the token."""

    def make(scope: str, revoked: bool = False) -> str:
        token = secrets.token_urlsafe(24)
        session.add(
            ApiToken(
                token_hash=token_hash(token),
                scope_kode=scope,
                label="test",
                created_at=CREATED,
                revoked_at=CREATED if revoked else None,
            )
        )
        session.commit()
        return token

    return make


@pytest.fixture
def make_admin(session: Session) -> Callable[..., AdminUser]:
    def make(role: str, scope: str, username: str | None = None) -> AdminUser:
        admin = AdminUser(
            username=username or f"{role}-{scope}",
            password_hash="x",
            role=role,
            scope_kode=scope,
            created_at=CREATED,
        )
        session.add(admin)
        session.commit()
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
