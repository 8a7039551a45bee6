"""Domain tests: plain SQLAlchemy sessions over a migrated database, no HTTP, no sockets.

The factories here only flush (domain style), unlike the committing ones of tests/conftest.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime

import pytest
from sqlalchemy.orm import Session, sessionmaker

from portal.models import Gateway, Village
from portal.world import World
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
def world(session: Session, master_key: str) -> World:
    """The test world over the plain session, at `NOW` (it only flushes)."""
    return World(session, now=NOW, master_key=master_key)


@pytest.fixture
def make_village(world: World) -> Callable[..., Village]:
    def make(kode: str = "64.01.01.2009", timezone: str | None = None) -> Village:
        return world.village(kode, timezone=timezone)

    return make


@pytest.fixture
def make_gateway(world: World) -> Callable[..., Gateway]:
    counter = iter(range(1, 1000))

    def make(village: Village, nas_identifier: str | None = None, **values: object) -> Gateway:
        return world.gateway(village.kode, nas_identifier or f"desa-{next(counter)}", **values)

    return make
