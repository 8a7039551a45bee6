"""Who may see the report pages: Flask-Login's ``current_user``, scoped by its region code.

Login itself belongs to the admin console (portal/admin, portal/domain/accounts.py). So
that the report pages can be built and tested before that is merged, `init_fallback_login`
installs a minimal LoginManager that loads an active AdminUser from the same session
value the admin console stores ("id:session_version") — but only when the application
has no LoginManager yet. At merge, register the admin console before the reports
blueprint (its LoginManager then wins) and delete this fallback.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask
from flask_login import LoginManager, current_user

from portal.database import db
from portal.models import AdminUser


@dataclass(frozen=True)
class Viewer:
    """The logged-in admin as Flask-Login sees it: role and scope are all reports need."""

    id: int
    username: str
    role: str
    scope_kode: str
    is_authenticated: bool = True
    is_active: bool = True
    is_anonymous: bool = False

    session_version: int = 1

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"


def current_scope() -> str:
    """The region code the logged-in admin may see.

    Works with this module's `Viewer` and with the admin console's session user, which
    wraps the AdminUser row as ``.user``.
    """
    user = getattr(current_user, "user", current_user)
    return user.scope_kode


def init_fallback_login(app: Flask) -> None:
    """Install a LoginManager that loads `Viewer`s, unless one is installed already."""
    if getattr(app, "login_manager", None) is not None:
        return
    manager = LoginManager()
    manager.init_app(app)

    @manager.user_loader
    def _load(ident: str) -> Viewer | None:
        # "id:session_version", the form the admin console's login stores.
        user_id, _sep, version = ident.partition(":")
        if not (user_id.isdigit() and version.isdigit()):
            return None
        admin = db.session.get(AdminUser, int(user_id))
        if admin is None or not admin.active or admin.session_version != int(version):
            return None
        return Viewer(admin.id, admin.username, admin.role, admin.scope_kode, admin.session_version)
