"""Domain tests: plain SQLAlchemy sessions over a migrated database, no HTTP, no sockets.

The factories here only flush (domain style), unlike the committing ones of tests/conftest.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime

import pytest
from sqlalchemy.orm import Session, sessionmaker

from portal.domain.network import regions
from portal.models import Gateway, Village
from tests.databases import TEST_SECRET_KEY

NOW = datetime(2026, 11, 22, 3, 0)  # 11.00 WITA, 10.00 WIB


@pytest.fixture
def session(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """A plain session; domain code only flushes, so nothing here is committed."""
    with sessions() as db_session:
        yield db_session


@pytest.fixture
def master_key() -> str:
    return TEST_SECRET_KEY


@pytest.fixture
def make_village(session: Session) -> Callable[..., Village]:
    def make(kode: str = "64.01.01.2009", timezone: str | None = None) -> Village:
        region = regions.lookup_village(kode)
        village = Village(
            kode=region.kode,
            slug=region.nama.lower().replace(" ", "-") + "-" + region.kode[-4:],
            name=region.nama,
            district_name=region.kecamatan or "",
            regency_name=region.kabupaten or "",
            province_name=region.provinsi,
            timezone=timezone or regions.default_timezone(region.kode),
            ssid="WifiDesa",
            created_at=NOW,
        )
        session.add(village)
        session.flush()
        return village

    return make


@pytest.fixture
def make_gateway(session: Session) -> Callable[..., Gateway]:
    counter = iter(range(1, 1000))

    def make(village: Village, nas_identifier: str | None = None, **values: object) -> Gateway:
        gateway = Gateway(
            village_kode=village.kode,
            nas_identifier=nas_identifier or f"desa-{next(counter)}",
            source_address=str(values.pop("source_address", "127.0.0.1")),
            secret=str(values.pop("secret", "s" * 32)),
            heartbeat_token="h" * 32,
            created_at=NOW,
            updated_at=NOW,
            **values,
        )
        session.add(gateway)
        session.flush()
        return gateway

    return make
