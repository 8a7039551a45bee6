"""Fixtures for the admin console: an app per backend, villages, admins, a logged-in client.

Factory fixtures return functions (`make_admin`, `login`), as STYLE.md asks.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal import create_app
from portal.database import db
from portal.domain.accounts import admins, logins
from portal.domain.network import regions
from portal.models import AdminUser
from portal.world import World
from tests.databases import BACKENDS, TEST_SECRET_KEY, database_url, migrated_settings

NOW = datetime(2026, 11, 22, 3, 0)  # 11.00 WITA
VILLAGE_A = "64.01.01.2009"
VILLAGE_B = "64.01.01.2010"
OTHER_REGENCY_VILLAGE = "64.02.01.2001"
PASSWORD = "kata-sandi-uji-123"
_CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


def build_app(backend: str, tmp_path, **extra: object) -> Iterator[Flask]:
    with database_url(backend, tmp_path) as url:
        settings = migrated_settings(tmp_path, url, public_url="https://portal.example.id")
        app = create_app(settings)
        app.config.update(extra)
        with app.app_context():
            add_villages()
            db.session.commit()
        yield app
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(backend: str, tmp_path) -> Iterator[Flask]:
    yield from build_app(backend, tmp_path)


def add_villages() -> None:
    """Samurangau and Busui (Paser, 64.01) and Perian (Kutai Kartanegara, 64.02)."""
    world = World(db.session, now=NOW, master_key=TEST_SECRET_KEY)
    for kode in (VILLAGE_A, VILLAGE_B, OTHER_REGENCY_VILLAGE):
        name = regions.lookup(kode).nama
        world.village(kode, ssid=f"WiFi Desa {name}")


@dataclass
class Admin:
    id: int
    username: str
    password: str
    totp_secret: str | None


def create_admin(
    app: Flask, username: str, role: str, scope: str, *, totp: bool | None = None
) -> Admin:
    """Create an admin (TOTP on by default where the role needs it)."""
    with_totp = role != "village" if totp is None else totp
    with app.app_context():
        user = admins.create_admin(
            db.session, username, role=role, scope=scope, password=PASSWORD, now=NOW
        )
        if with_totp:
            user.totp_secret = logins.new_totp_secret()
        db.session.commit()
        return Admin(user.id, username, PASSWORD, user.totp_secret)


@pytest.fixture
def make_admin(app: Flask) -> Callable[..., Admin]:
    def make(username: str, role: str = "village", scope: str = VILLAGE_A, **kw: object) -> Admin:
        return create_admin(app, username, role, scope, **kw)

    return make


def csrf_token(client: FlaskClient, path: str = "/admin/login") -> str:
    """The CSRF token of the client's session, read from a page's meta tag."""
    page = client.get(path).get_data(as_text=True)
    match = _CSRF.search(page)
    assert match, f"no csrf meta on {path}"
    return match.group(1)


def log_in(client: FlaskClient, admin: Admin) -> None:
    """Log ``admin`` in through the real forms (password, then TOTP if enrolled)."""
    token = csrf_token(client)
    response = client.post(
        "/admin/login",
        data={"username": admin.username, "password": admin.password, "csrf_token": token},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    if admin.totp_secret:
        assert response.headers["Location"].endswith("/admin/login/totp")
        forget_totp_step(client.application, admin.id)
        token = csrf_token(client, "/admin/login/totp")
        response = client.post(
            "/admin/login/totp",
            data={"code": pyotp.TOTP(admin.totp_secret).now(), "csrf_token": token},
        )
        assert response.status_code == 302, response.get_data(as_text=True)
    assert response.headers["Location"].endswith("/admin/")


def forget_totp_step(app: Flask, user_id: int) -> None:
    """Let a test log the same admin in many times within one 30-second TOTP step
    (a code is otherwise accepted only once; test_auth checks that)."""
    with app.app_context():
        db.session.get(AdminUser, user_id).totp_last_step = None
        db.session.commit()


@pytest.fixture
def login() -> Callable[[FlaskClient, Admin], None]:
    return log_in


def post(client: FlaskClient, path: str, data: dict | None = None, **kw: object):
    """POST with the session's CSRF token added."""
    values = dict(data or {})
    values.setdefault("csrf_token", csrf_token(client, "/admin/account"))
    return client.post(path, data=values, **kw)


def get_user(app: Flask, user_id: int) -> AdminUser:
    with app.app_context():
        user = db.session.get(AdminUser, user_id)
        db.session.expunge(user)
        return user
