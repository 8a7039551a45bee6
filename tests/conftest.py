"""Shared fixtures: everything is built from the factory with test settings.

Database fixtures are parametrised over SQLite and PostgreSQL, so every test that
uses the database runs on both. PostgreSQL runs when WIFIDESA_TEST_DATABASE_URL
names a database (e.g. postgresql://postgres@127.0.0.1:5432/test); each test gets a
fresh schema, migrated by Alembic and dropped afterwards. Without it, the PostgreSQL
half is skipped with a reason.

Factory fixtures (`make_village`, `make_gateway`, `make_admin`) return functions
that create objects through the domain and COMMIT, so the rows are visible to other
connections (a CLI command, a gunicorn worker, the RADIUS server under test).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterator
from datetime import datetime
from itertools import count
from typing import Any

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher, Type
from click.testing import CliRunner, Result
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker

from portal import create_app
from portal.cli import main
from portal.config import Settings
from portal.database import db
from portal.domain.accounts import admins, logins
from portal.models import AdminUser, Gateway, Village
from portal.storage import make_engine, make_sessionmaker
from portal.world import World
from tests import chromium, databases
from tests.notify.servers import BotApi, MailBox, bot_api, smtp_server

pytest_plugins = ["tests.privacy.plugin"]

TEST_SECRET_KEY = databases.TEST_SECRET_KEY
#: A fixed instant (naive UTC, as stored): 11:00 WITA on Sunday 22 November 2026.
TEST_NOW = datetime(2026, 11, 22, 3, 0, 0)
DEFAULT_PASSWORD = "kata-sandi-rahasia"


# --- no traffic off this machine ---------------------------------------------------------


def _is_local(address: Any) -> bool:
    if isinstance(address, (str, bytes)):  # a unix socket path
        return True
    host = address[0] if isinstance(address, tuple) and address else address
    if host in ("localhost", "", None):
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False  # a host name would need DNS, which is off-machine already


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any test that connects or sends to an address outside 127.0.0.0/8 and ::1."""

    def guard(name: str) -> Callable[..., Any]:
        original = getattr(socket.socket, name)

        def checked(sock: socket.socket, *args: Any) -> Any:
            address = args[-1] if name == "sendto" else args[0]
            if not _is_local(address):
                raise AssertionError(f"test tried to reach {address!r} off loopback")
            return original(sock, *args)

        return checked

    for name in ("connect", "connect_ex", "sendto"):
        monkeypatch.setattr(socket.socket, name, guard(name))


@pytest.fixture(autouse=True, scope="session")
def _stop_chromium() -> Iterator[None]:
    """Stop the run's Playwright driver and Chromium (`tests.chromium`) at the end."""
    yield
    chromium.stop()


# --- databases ---------------------------------------------------------------------------


@pytest.fixture(params=databases.BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[str]:
    """The WIFIDESA_DATABASE_URL of the test: "" (SQLite in the data folder) or a fresh
    PostgreSQL schema selected through the connection's search_path."""
    with databases.database_url(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def settings(tmp_path: Any, database_url: str) -> Settings:
    """Settings for one test: a fresh data folder, the parametrised database."""
    return Settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        secret_key=TEST_SECRET_KEY,
        public_url="http://127.0.0.1:8080",
        testing=True,
    )


@pytest.fixture
def app(settings: Settings) -> Iterator[Flask]:
    """The portal for `settings`, its empty database migrated (a copy of the schema
    Alembic built once this run, see `tests.databases.migrate`)."""
    databases.migrate(settings)
    application = create_app(settings)
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def db_session(app: Flask) -> Iterator[Session]:
    """The app's session inside an app context; rolled back and closed afterwards."""
    with app.app_context():
        yield db.session
        db.session.rollback()
        db.session.remove()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def now() -> datetime:
    """The instant domain calls in tests use unless a test needs another."""
    return TEST_NOW


def settings_env(settings: Settings) -> dict[str, str | None]:
    """Environment variables that make `Settings.from_env` rebuild these settings."""
    return {
        "WIFIDESA_DATA_DIR": str(settings.data_dir),
        "WIFIDESA_DATABASE_URL": settings.database_url,
        "WIFIDESA_SECRET_KEY": settings.secret_key,
        "WIFIDESA_PUBLIC_URL": settings.public_url,
        "WIFIDESA_SUPPRESSION_THRESHOLD": None,
        "WIFIDESA_SESSION_RETENTION_DAYS": None,
        "WIFIDESA_KEY_GRACE_DAYS": None,
    }


@pytest.fixture
def engine(app: Flask, settings: Settings) -> Iterator[sa.Engine]:
    """A plain SQLAlchemy engine on the migrated test database, as non-Flask code
    (the RADIUS server, workers) builds it with `make_engine`."""
    plain = make_engine(settings)
    yield plain
    plain.dispose()


@pytest.fixture
def sessions(engine: sa.Engine) -> sessionmaker[Session]:
    """A session factory over `engine`: ``with sessions() as session: …``."""
    return make_sessionmaker(engine)


@pytest.fixture
def runner(settings: Settings) -> CliRunner:
    """click's CliRunner with the environment pointing at the test settings."""
    return CliRunner(env=settings_env(settings))


@pytest.fixture
def cli(runner: CliRunner) -> Callable[..., Result]:
    """Run ``wifidesa ARGS…`` in-process against the test settings.

    ``cli("village", "add", "64.01.01.2009")`` returns click's Result (exit_code,
    stdout, stderr). It does not migrate: use it beside the `app` fixture, or run
    ``cli("init-db")`` first.
    """

    def invoke(*args: str, input: str | None = None) -> Result:
        return runner.invoke(main, list(args), input=input, catch_exceptions=False)

    return invoke


def row_count(session: Session, model: type) -> int:
    """How many rows a table holds (fresh from the database)."""
    session.expire_all()
    return session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


# --- factories ---------------------------------------------------------------------------


@pytest.fixture
def test_world(db_session: Session, now: datetime) -> World:
    """The test world over the app's session at `now`; the factories below commit."""
    return World(db_session, now=now, master_key=TEST_SECRET_KEY)


@pytest.fixture
def make_village(test_world: World) -> Callable[..., Village]:
    """``make_village(code="64.01.01.2009", **options)``: the village, set up if needed."""

    def make(code: str = "64.01.01.2009", **options: Any) -> Village:
        village = test_world.village(code, **options)
        test_world.session.commit()
        return village

    return make


@pytest.fixture
def make_gateway(test_world: World) -> Callable[..., Gateway]:
    """``make_gateway(village="64.01.01.2009", nas_identifier=…, address="127.0.0.1", …)``.

    The village is set up when missing; NAS-Identifiers default to gw-1, gw-2, …;
    the generated secret is in ``gateway.secret``.
    """
    numbers = count(1)

    def make(
        village: str = "64.01.01.2009",
        nas_identifier: str | None = None,
        address: str = "127.0.0.1",
        **options: Any,
    ) -> Gateway:
        gateway = test_world.gateway(
            village, nas_identifier or f"gw-{next(numbers)}", address=address, **options
        )
        test_world.session.commit()
        return gateway

    return make


@pytest.fixture
def make_admin(test_world: World) -> Callable[..., AdminUser]:
    """``make_admin(username="operator", role="village", scope="64.01.01.2009",
    password=DEFAULT_PASSWORD)``; a village scope is set up when missing."""

    def make(
        username: str = "operator",
        role: str = "village",
        scope: str = "64.01.01.2009",
        password: str = DEFAULT_PASSWORD,
    ) -> AdminUser:
        admin = test_world.admin(username, role, scope, password=password)
        test_world.session.commit()
        return admin

    return make


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests log in and create admins hundreds of times; the production cost is asserted
    separately (tests/admin/test_auth.py)."""
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1, type=Type.ID)
    monkeypatch.setattr(admins, "HASHER", cheap)
    monkeypatch.setattr(logins, "_DUMMY_HASH", cheap.hash("wifidesa-no-such-user"))


@pytest.fixture
def mailbox(tmp_path: Any) -> Iterator[MailBox]:
    """A real SMTP server on loopback (STARTTLS with a throwaway CA, AUTH LOGIN)."""
    with smtp_server(tmp_path) as box:
        yield box


@pytest.fixture
def bot() -> Iterator[BotApi]:
    """A Telegram Bot API double on loopback."""
    with bot_api() as api:
        yield api
