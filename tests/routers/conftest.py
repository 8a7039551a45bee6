"""Fixtures of the router's own pages: the residents' portal with one seeded village
(tests/splash/conftest.py) at a fixed instant, so generated files are byte-stable."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from flask import Flask

from tests.clock import set_clock
from tests.splash import conftest as splash

backend = splash.backend
splash_settings = splash.splash_settings
portal_app = splash.portal_app
portal_client = splash.portal_client

#: 11.00 WITA on a Sunday: every golden file is rendered at this instant.
NOW = datetime(2026, 11, 22, 3, 0)


@pytest.fixture
def world(portal_app: Flask) -> splash.World:
    set_clock(portal_app, lambda: NOW)
    return splash.seed_world(portal_app, now=NOW)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """Headless Chromium for one test module, stopped at its end: a session-long
    Playwright (tests/splash's) would make every later one fail to start."""
    from tests.admin.browser import chromium as browser
    from tests.splash.browser import require_chromium

    require_chromium()
    with browser() as started:
        yield started
