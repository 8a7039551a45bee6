"""Wifi Desa: captive portal and hotspot access controller for village Wi-Fi.

`create_app` wires extensions, blueprints and error handlers and returns; it creates
no tables, generates no keys and starts no threads.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from portal.config import Settings
from portal.storage import engine_options
from portal.web import context

PACKAGE_DIR = Path(__file__).resolve().parent


def template_folder() -> Path:
    """Where the Jinja templates are: inside the wheel, or at the top of a checkout."""
    shipped = PACKAGE_DIR / "templates"
    return shipped if shipped.is_dir() else PACKAGE_DIR.parent / "templates"


def create_app(settings: Settings) -> Flask:
    """Build the portal application for the given settings.

    ``settings.secret_key`` must already be set (see `Settings.resolve_secret_key`).
    Raises ValueError when it is empty.
    """
    if not settings.secret_key:
        raise ValueError("settings.secret_key is empty; call Settings.resolve_secret_key()")
    app = Flask(
        __name__,
        template_folder=str(template_folder()),
        static_folder=str(PACKAGE_DIR / "static"),
    )
    app.config.update(
        SECRET_KEY=settings.secret_key,
        SQLALCHEMY_DATABASE_URI=settings.sqlalchemy_url,
        SQLALCHEMY_ENGINE_OPTIONS=engine_options(settings),
        TESTING=settings.testing,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        # Behind https the prefix makes the browser refuse the cookie unless it is Secure,
        # host-only and for the whole site, so no sibling host can plant or widen it.
        SESSION_COOKIE_NAME="__Host-session" if settings.secure_cookies else "session",
        MAX_CONTENT_LENGTH=8 * 1024 * 1024,
    )
    app.extensions[context.SETTINGS] = settings
    if settings.trusted_proxies:
        # Behind nginx every request comes from 127.0.0.1: without this one admin's
        # wrong passwords would lock the login for all of them.
        count = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)  # type: ignore[method-assign]

    from portal import (
        admin,
        api,
        database,
        errors,
        i18n,
        migrations,
        ops,
        reports,
        routers,
        security,
        splash,
    )

    database.init_app(app)
    migrations.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    ops.init_app(app)
    i18n.init_app(app)
    admin.init_app(app)  # sets up CSRFProtect, which splash and routers then exempt themselves from
    splash.init_app(app)
    routers.init_app(app)
    api.init_app(app)
    reports.init_app(app)  # after admin: the report pages use the console's login
    return app


settings_of = context.settings_of
