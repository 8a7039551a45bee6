"""Headless Chromium for one test module.

Playwright's sync API allows one instance per thread: a session-scoped Chromium started by
one directory's tests (an alias of tests/splash's fixture) stays alive to the end of the run
and makes every later module's ``sync_playwright()`` fail ("inside the asyncio loop"). A
module-scoped one is closed before the next module starts; tests/splash keeps the session
one, as it runs last.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(scope="module")
def module_chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    from tests.splash.browser import CHROMIUM, CHROMIUM_ARGS, require_chromium

    require_chromium()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()
