"""Fixtures for the RADIUS tests: databases on both backends, factories, a live server.

Factory fixtures return functions (``make_gateway(nas_identifier="desa-2")``). An autouse
guard fails any test that sends a packet anywhere but loopback.
"""

from __future__ import annotations

import ipaddress
import secrets
import socket
from collections.abc import Callable, Iterator
from datetime import datetime

import pytest
from sqlalchemy.orm import sessionmaker

from portal.config import Settings
from portal.database import make_engine, make_sessionmaker
from portal.domain.access import grants, vouchers
from portal.domain.access.pseudonyms import KeyRing, normalize_mac
from portal.domain.clock import utcnow
from portal.domain.usage import quotas
from portal.domain.usage.rollups import ensure_device_day
from portal.models import DeviceDay, Gateway, TermsVersion, Village
from radius.server import RadiusServer
from tests.databases import BACKENDS, database_url, migrated_settings
from tests.radius.mikrotik import Router

VILLAGES = {
    "WITA": ("64.01.01.2009", "Desa Sungai Terik", "Batu Sopang", "Kabupaten Paser"),
    "WIB": ("15.01.01.2001", "Desa Pulau Betung", "Pemayung", "Kabupaten Batang Hari"),
}


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


@pytest.fixture
def make_village(db: sessionmaker) -> Callable[..., str]:
    def make(timezone: str = "WITA") -> str:
        kode, name, district, regency = VILLAGES[timezone]
        with db() as session:
            if session.get(Village, kode) is None:
                session.add(
                    Village(
                        kode=kode,
                        slug=name.lower().replace(" ", "-"),
                        name=name,
                        district_name=district,
                        regency_name=regency,
                        province_name="Kalimantan Timur" if timezone == "WITA" else "Jambi",
                        timezone=timezone,
                        ssid="WiFi-Desa",
                        created_at=utcnow(),
                    )
                )
                session.commit()
        return kode

    return make


@pytest.fixture
def make_gateway(db: sessionmaker, make_village: Callable[..., str]) -> Callable[..., Gateway]:
    def make(
        nas_identifier: str = "desa-sungai-terik",
        *,
        timezone: str = "WITA",
        secret: str | None = None,
        source_address: str = "127.0.0.1",
        require_message_authenticator: bool = True,
        coa_port: int = 3799,
    ) -> Gateway:
        kode = make_village(timezone)
        now = utcnow()
        gateway = Gateway(
            village_kode=kode,
            nas_identifier=nas_identifier,
            source_address=source_address,
            secret=secret or secrets.token_urlsafe(24),
            coa_port=coa_port,
            require_message_authenticator=require_message_authenticator,
            heartbeat_token=secrets.token_hex(16),
            created_at=now,
            updated_at=now,
        )
        with db() as session:
            session.add(gateway)
            session.commit()
        gateway.timezone = timezone  # type: ignore[attr-defined] (test convenience)
        return gateway

    return make


@pytest.fixture
def terms(db: sessionmaker) -> int:
    with db() as session:
        version = TermsVersion(
            scope_kode="64.01",
            version=1,
            summary="Gunakan dengan bijak.",
            full_text="Gunakan dengan bijak.",
            published_at=utcnow(),
        )
        session.add(version)
        session.commit()
        return version.id


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
        now = now or utcnow()
        with db() as session:
            day, device = device_today(session, gateway, mac, now)
            issued = grants.issue_grant(
                session,
                gateway=session.get(Gateway, gateway.id),
                device=device,
                local_date=day,
                now=now,
                master_key=settings.secret_key,
                terms_version_id=terms,
            )
            session.commit()
        return issued

    return make


@pytest.fixture
def accept_terms(db: sessionmaker, terms: int) -> Callable[..., str]:
    """Record that a device accepted the terms today (what login-by=mac checks)."""

    def accept(gateway: Gateway, mac: str, now: datetime | None = None) -> str:
        now = now or utcnow()
        with db() as session:
            day, device = device_today(session, gateway, mac, now)
            ensure_device_day(session, village_kode=gateway.village_kode, day=day, device=device)
            session.get(DeviceDay, (gateway.village_kode, day, device)).terms_version_id = terms
            session.commit()
        return device

    return accept


@pytest.fixture
def make_vouchers(db: sessionmaker, settings: Settings) -> Callable[..., list[str]]:
    def make(village_kode: str, count: int = 1, **allowance: int) -> list[str]:
        with db() as session:
            _, codes = vouchers.create_batch(
                session,
                village_kode=village_kode,
                count=count,
                valid_days=7,
                now=utcnow(),
                master_key=settings.secret_key,
                **allowance,
            )
            session.commit()
        return codes

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
def spend(db):
    """Use up a device's data for the local day of ``now``."""

    def spend(gateway, mac, now, bytes_=2_000_000_000):
        with db() as session:
            day, device = device_today(session, gateway, mac, now)
            quotas.add_usage(
                session,
                village_kode=gateway.village_kode,
                day=day,
                device=device,
                bytes_delta=bytes_,
                seconds_delta=60,
            )
            session.commit()

    return spend
