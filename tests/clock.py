"""Setting the installation's clock in a test (`Settings.clock`, which every page reads)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from flask import Flask

from portal.config import Settings, utcnow


def set_clock(app: Flask, source: Callable[[], datetime] | None = None) -> None:
    """Make ``app`` read the time from ``source`` (the real clock again when None)."""
    settings: Settings = app.extensions["wifidesa.settings"]
    app.extensions["wifidesa.settings"] = replace(settings, clock=source or utcnow)
