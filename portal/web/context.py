"""What every view needs of the application it runs in: its settings, its clock, its key.

Views read these here rather than from the environment or the system clock, so one
`Settings` (with the clock tests set) governs every page.
"""

from __future__ import annotations

from datetime import datetime

from flask import Flask, current_app

from portal.config import Settings

SETTINGS = "wifidesa.settings"


def settings_of(app: Flask) -> Settings:
    """The Settings an application was created with."""
    return app.extensions[SETTINGS]


def settings() -> Settings:
    """The running application's settings."""
    return settings_of(current_app)


def now() -> datetime:
    """The current instant (naive UTC) by the installation's clock."""
    return settings().clock()


def master_key() -> str:
    """The installation's secret key (grants, tickets, voucher hashes derive from it)."""
    return settings().secret_key


def public_url(path: str) -> str:
    """An absolute URL as phones and routers reach the portal (WIFIDESA_PUBLIC_URL)."""
    return settings().public_url + path
