"""The admin console under /admin: village operators and Diskominfo officers.

Deny by default: one ``before_request`` on the blueprint requires a complete login
(password, and TOTP where required) and a valid CSRF token on every unsafe method,
except for the few endpoints in `PUBLIC_ENDPOINTS`. Object scope is checked in one
place, `portal.admin.scope.load_scoped`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from flask import Blueprint, Flask, current_app, redirect, request, session, url_for
from flask_login import LoginManager, current_user, logout_user
from flask_wtf.csrf import CSRFProtect
from werkzeug.wrappers import Response

from portal.domain import clock

bp = Blueprint("admin", __name__, url_prefix="/admin")
csrf = CSRFProtect()
login_manager = LoginManager()

#: Endpoints reachable without a complete login; each checks its own precondition.
PUBLIC_ENDPOINTS = frozenset(
    {"admin.login", "admin.login_totp", "admin.totp_enrol_pending", "admin.language"}
)
#: Session lifetimes (acceptance test AT-20): the console holds codes, gateway secrets and
#: village data, often on shared office PCs.
IDLE_TIMEOUT = timedelta(minutes=15)
ABSOLUTE_TIMEOUT = timedelta(hours=8)


def now() -> datetime:
    """The current naive-UTC instant; tests replace it with ``WIFIDESA_CLOCK``."""
    source: Callable[[], datetime] = current_app.config.get("WIFIDESA_CLOCK", clock.utcnow)
    return source()


@bp.before_request
def _require_login() -> Response | None:
    if request.method not in ("GET", "HEAD", "OPTIONS", "TRACE"):
        csrf.protect()
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if not current_user.is_authenticated or session_expired():
        logout_user()
        session.pop("admin_auth_at", None)
        return redirect(url_for("admin.login"))
    session["admin_seen_at"] = now().timestamp()
    return None


@bp.after_request
def _private(response: Response) -> Response:
    # Admin pages carry codes, secrets and village data: never keep them in a cache.
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def session_expired() -> bool:
    """True when the session passed its idle or absolute lifetime."""
    moment = now().timestamp()
    started = session.get("admin_auth_at", 0)
    seen = session.get("admin_seen_at", started)
    return (
        moment - started > ABSOLUTE_TIMEOUT.total_seconds()
        or moment - seen > IDLE_TIMEOUT.total_seconds()
    )


def init_app(app: Flask) -> None:
    """Wire Flask-Login, CSRF protection, the admin blueprint and the router endpoints."""
    # CSRF is enforced by the admin blueprint itself (above); the router-facing and
    # resident-facing endpoints receive posts from MikroTik pages that carry no token.
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    csrf.init_app(app)
    login_manager.init_app(app)

    from portal.admin import (  # noqa: F401 (registers the views on bp)
        auth,
        bulletin,
        bulletin_import,
        dashboard,
        devices,
        gateways,
        i18n,
        poster,
        terms,
        users,
        vouchers,
    )
    from portal.routers import bp as routers_bp
    from portal.routers.media import bp as media_bp

    login_manager.user_loader(auth.load_user)
    app.register_blueprint(bp)
    app.register_blueprint(routers_bp)
    csrf.exempt(routers_bp)  # RouterOS posts its heartbeat with its own token, no session
    app.register_blueprint(media_bp)
