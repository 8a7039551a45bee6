"""The admin console under /admin: village operators and Diskominfo officers.

Deny by default: one ``before_request`` on the blueprint requires a complete login
(password, and TOTP where required) and a valid CSRF token on every unsafe method,
except for the few endpoints in `PUBLIC_ENDPOINTS`. Object scope is checked in one
place, `portal.admin.scope.load_scoped`.
"""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, Flask, redirect, request, url_for
from flask_login import LoginManager, logout_user
from flask_wtf.csrf import CSRFProtect
from werkzeug.wrappers import Response

from portal.web import context, login

bp = Blueprint("admin", __name__, url_prefix="/admin")
csrf = CSRFProtect()
login_manager = LoginManager()

#: Endpoints reachable without a complete login; each checks its own precondition.
PUBLIC_ENDPOINTS = frozenset(
    {"admin.login", "admin.login_totp", "admin.totp_enrol_pending", "admin.language"}
)


def now() -> datetime:
    """The current naive-UTC instant by the installation's clock (`Settings.clock`)."""
    return context.now()


@bp.before_request
def _require_login() -> Response | None:
    if request.method not in ("GET", "HEAD", "OPTIONS", "TRACE"):
        csrf.protect()
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if not login.is_live():
        logout_user()
        login.forget()
        return redirect(url_for("admin.login"))
    return None


@bp.after_request
def _private(response: Response) -> Response:
    # Admin pages carry codes, secrets and village data: never keep them in a cache.
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def init_app(app: Flask) -> None:
    """Wire Flask-Login, CSRF protection and the admin blueprint."""
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
        notify,
        policies,
        poster,
        terms,
        tokens,
        users,
        villages,
        vouchers,
    )

    login_manager.user_loader(auth.load_user)
    app.register_blueprint(bp)
