"""Who may see the report pages: Flask-Login's ``current_user``, scoped by its region code.

Login itself belongs to the admin console (portal/admin, portal/domain/accounts.py). So
that the report pages can be built and tested before that is merged, `init_fallback_login`
installs a minimal LoginManager that loads an active AdminUser by id — but only when the
application has no LoginManager yet. At merge, register the admin console before the
reports blueprint (its LoginManager then wins) and delete this fallback.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask
from flask_login import LoginManager

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

    def get_id(self) -> str:
        return str(self.id)


def init_fallback_login(app: Flask) -> None:
    """Install a LoginManager that loads `Viewer`s, unless one is installed already."""
    if getattr(app, "login_manager", None) is not None:
        return
    manager = LoginManager()
    manager.init_app(app)

    @manager.user_loader
    def _load(user_id: str) -> Viewer | None:
        if not user_id.isdigit():
            return None
        admin = db.session.get(AdminUser, int(user_id))
        if admin is None or not admin.active:
            return None
        return Viewer(admin.id, admin.username, admin.role, admin.scope_kode)
