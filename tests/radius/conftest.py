"""Fixtures for the RADIUS tests: databases on both backends, factories, a live server.

Factory fixtures return functions (``make_gateway(nas_identifier="desa-2")``). An autouse
guard fails any test that sends a packet anywhere but loopback.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime

import pytest
from sqlalchemy.orm import sessionmaker

from portal.config import Settings, utcnow
from portal.domain.pseudonyms import KeyRing, normalize_mac
from portal.models import Gateway
from portal.storage import make_engine, make_sessionmaker
from portal.world import World
from radius.server import RadiusServer
from tests.databases import BACKENDS, database_url, migrated_settings
from tests.radius.mikrotik import Router

#: A village of each zone the tests use: Samurangau (Paser, WITA), Selam Paung (Kerinci, WIB).
VILLAGES = {"WITA": "64.01.01.2009", "WIB": "15.01.01.2001"}


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fail the test if anything sends or connects a socket off loopback."""
    offenders: list[object] = []
    real_sendto, real_connect = socket.socket.sendto, socket.socket.connect

    def check(address: object) -> None:
        if isinstance(address, tuple) and address and isinstance(address[0], str):
            try:
                loopback = ipaddress.ip_address(address[0]).is_loopback
            except ValueError:
                loopback = address[0] == "localhost"
            if not loopback:
                offenders.append(address)
                raise PermissionError(f"test tried to reach {address[0]}")

    def sendto(self, data, *args):
        check(args[-1])
        return real_sendto(self, data, *args)

    def connect(self, address):
        check(address)
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "sendto", sendto)
    monkeypatch.setattr(socket.socket, "connect", connect)
    yield
    assert not offenders, f"packets sent off loopback: {offenders}"


@pytest.fixture(params=BACKENDS)
def settings(request: pytest.FixtureRequest, tmp_path) -> Iterator[Settings]:
    with database_url(request.param, tmp_path) as url:
        yield migrated_settings(tmp_path, url)


@pytest.fixture
def db(settings: Settings) -> Iterator[sessionmaker]:
    engine = make_engine(settings)
    yield make_sessionmaker(engine)
    engine.dispose()


@contextmanager
def world(db: sessionmaker, settings: Settings, now: datetime | None = None) -> Iterator[World]:
    """The test world in a session of its own, committed at the end."""
    with db() as session:
        yield World(session, now=now or utcnow(), master_key=settings.secret_key)
        session.commit()


@pytest.fixture
def make_village(db: sessionmaker, settings: Settings) -> Callable[..., str]:
    def make(timezone: str = "WITA") -> str:
        with world(db, settings) as w:
            return w.village(VILLAGES[timezone]).kode

    return make


@pytest.fixture
def make_gateway(db: sessionmaker, settings: Settings) -> Callable[..., Gateway]:
    def make(
        nas_identifier: str = "desa-sungai-terik",
        *,
        timezone: str = "WITA",
        source_address: str = "127.0.0.1",
        **options: object,
    ) -> Gateway:
        with world(db, settings) as w:
            gateway = w.gateway(VILLAGES[timezone], nas_identifier, **options)
            if source_address != gateway.source_address:
                gateway.source_address = source_address  # a row the console would refuse
        gateway.timezone = timezone  # type: ignore[attr-defined] (test convenience)
        return gateway

    return make


@pytest.fixture
def terms(db: sessionmaker, settings: Settings) -> int:
    with world(db, settings) as w:
        return w.terms("64.01").id


def device_today(session, gateway: Gateway, mac: str, now: datetime) -> tuple[object, str]:
    """(local day, pseudonym) of ``mac`` at the gateway's village at ``now``, as the
    server computes it."""
    return KeyRing().device_for_day(
        session,
        village_kode=gateway.village_kode,
        timezone=gateway.timezone,
        mac=normalize_mac(mac),
        now=now,
    )


@pytest.fixture
def make_grant(db: sessionmaker, settings: Settings, terms: int) -> Callable[..., object]:
    """Issue a grant the way the portal does: device pseudonym of today, terms noted."""

    def make(gateway: Gateway, mac: str = "BC:24:11:EB:56:4D", now: datetime | None = None):
        with world(db, settings, now) as w:
            return w.grant(w.session.get(Gateway, gateway.id), mac)

    return make


@pytest.fixture
def accept_terms(db: sessionmaker, settings: Settings, terms: int) -> Callable[..., str]:
    """Record that a device accepted the terms today (what login-by=mac checks)."""

    def accept(gateway: Gateway, mac: str, now: datetime | None = None) -> str:
        with world(db, settings, now) as w:
            return w.accept_terms(w.session.get(Gateway, gateway.id), mac).pseudonym

    return accept


@pytest.fixture
def make_vouchers(db: sessionmaker, settings: Settings) -> Callable[..., list[str]]:
    def make(village_kode: str, count: int = 1, **allowance: int) -> list[str]:
        with world(db, settings) as w:
            return w.vouchers(village_kode, count, **allowance)

    return make


@pytest.fixture
def radius_server(settings: Settings) -> Iterator[Callable[..., RadiusServer]]:
    """Start a server on free loopback ports; every server is stopped after the test."""
    started: list[RadiusServer] = []

    def start(**options: object) -> RadiusServer:
        options.setdefault("reject_delay", 0.2)
        options.setdefault("coa_timeout", 0.2)  # no test NAS listens on 3799 unless asked
        options.setdefault("coa_retries", 0)
        server = RadiusServer(settings, "127.0.0.1", 0, 0, **options).start()  # type: ignore[arg-type]
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def router() -> Callable[..., Router]:
    def make(server: RadiusServer, gateway: Gateway, **options: object) -> Router:
        return Router(
            auth_port=server.auth_port,
            acct_port=server.acct_port,
            secret=gateway.secret.encode(),
            nas_identifier=gateway.nas_identifier,
            **options,  # type: ignore[arg-type]
        )

    return make


@pytest.fixture
def spend(db, settings):
    """Use up a device's data for the local day of ``now``."""

    def spend(gateway, mac, now, bytes_=2_000_000_000):
        with world(db, settings, now) as w:
            w.use(w.session.get(Gateway, gateway.id), mac, bytes_=bytes_, seconds=60)

    return spend
