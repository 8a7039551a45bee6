"""One Playwright driver and one headless Chromium for the whole run.

Playwright's sync API allows one driver per thread, and a driver left running makes the
next ``sync_playwright()`` fail ("inside the asyncio loop"); starting one per test also
costs a second or two. So every browser test uses the driver and browser started here by
the first test that asks, and stopped when the session ends (tests/conftest.py). Tests
stay apart as Playwright means them to: each opens its own browser contexts (cookies,
storage, cache), and `contexts_closed` closes any a test left open.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tests.splash.browser import CHROMIUM, CHROMIUM_ARGS, require_chromium

_running: dict[str, Any] = {}


def driver() -> Any:
    """The run's Playwright driver (started on first use); skips without Chromium."""
    require_chromium()
    if "driver" not in _running:
        from playwright.sync_api import sync_playwright

        _running["driver"] = sync_playwright().start()
    return _running["driver"]


def launch(*extra_args: str) -> Any:
    """A new headless Chromium with Debian's binary and our arguments (plus ``extra_args``);
    the caller closes it."""
    return driver().chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=[*CHROMIUM_ARGS, *extra_args]
    )


def browser() -> Any:
    """The run's shared Chromium (launched again should it have died)."""
    shared = _running.get("browser")
    if shared is None or not shared.is_connected():
        shared = _running["browser"] = launch()
    return shared


@contextmanager
def contexts_closed(shared: Any) -> Iterator[Any]:
    """Yield ``shared``; afterwards close the contexts (and so the pages) opened meanwhile."""
    before = set(shared.contexts)
    try:
        yield shared
    finally:
        for context in shared.contexts:
            if context not in before:
                context.close()


def stop() -> None:
    """Close the shared browser and stop the driver, if they were started."""
    shared = _running.pop("browser", None)
    if shared is not None and shared.is_connected():
        shared.close()
    running = _running.pop("driver", None)
    if running is not None:
        running.stop()
