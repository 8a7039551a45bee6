"""Headless Chromium for one test module: the run's shared one (`tests.chromium`),
with the contexts the module opened closed after it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(scope="module")
def module_chromium() -> Iterator[Any]:
    from tests import chromium

    with chromium.contexts_closed(chromium.browser()) as browser:
        yield browser
