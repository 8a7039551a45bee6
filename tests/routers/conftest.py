"""Fixtures of the router's own pages: the residents' portal with one seeded village
(tests/splash/conftest.py), a fixed clock, and the twin's RouterOS substitution."""

from __future__ import annotations

from datetime import datetime

import pytest
from flask import Flask

from tests.clock import set_clock
from tests.splash.conftest import (  # noqa: F401 (fixtures)
    World,
    backend,
    portal_app,
    portal_client,
    seed_world,
    splash_settings,
)

#: 11.00 WITA on a Sunday: every golden file is rendered at this instant.
NOW = datetime(2026, 11, 22, 3, 0)


@pytest.fixture
def world(portal_app: Flask) -> World:
    set_clock(portal_app, lambda: NOW)
    return seed_world(portal_app, now=NOW)
