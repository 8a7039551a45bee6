"""Fixtures of the router's own pages: the residents' portal with one seeded village
(tests/splash/conftest.py) at a fixed instant, so generated files are byte-stable."""

from __future__ import annotations

from datetime import datetime

import pytest
from flask import Flask

from tests.clock import set_clock
from tests.simulator.browser import module_chromium
from tests.splash import conftest as splash

backend = splash.backend
splash_settings = splash.splash_settings
portal_app = splash.portal_app
portal_client = splash.portal_client
chromium = module_chromium  # not splash's session one: see tests/simulator/browser.py

#: 11.00 WITA on a Sunday: every golden file is rendered at this instant.
NOW = datetime(2026, 11, 22, 3, 0)


@pytest.fixture
def world(portal_app: Flask) -> splash.World:
    set_clock(portal_app, lambda: NOW)
    return splash.seed_world(portal_app, now=NOW)
