"""Helpers for browser tests: the app on a loopback thread, headless Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask

from tests.chromium import browser as shared_browser
from tests.chromium import contexts_closed
from tests.live import serve
from tests.splash.browser import CHROMIUM

needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is missing")

#: Installed before any page script: records every attempt to reach for a dialog.
HOOKS = """
window.__xss = [];
for (const name of ["alert", "confirm", "prompt", "print"]) {
  window[name] = function () { window.__xss.push(name); };
}
"""


@contextmanager
def live_server(app: Flask) -> Iterator[str]:
    """Serve ``app`` on 127.0.0.1 in a thread; yields its base URL."""
    with serve(app) as server:
        yield f"http://127.0.0.1:{server.server_port}"


@contextmanager
def chromium() -> Iterator[object]:
    """The run's headless Chromium (`tests.chromium`); contexts opened in the block are
    closed after it."""
    with contexts_closed(shared_browser()) as browser:
        yield browser


def load_payloads() -> list[str]:
    path = Path(__file__).resolve().parents[1] / "xss_payloads.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line and not line.startswith("# ")]
