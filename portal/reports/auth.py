"""Who may see the report pages: the console's logged-in admin, scoped by region.

Login, TOTP and session versions belong to the admin console; the report pages apply
the same session lifetimes (`portal.web.login`) and read the admin's region through
`current_scope`.
"""

from __future__ import annotations

from flask_login import current_user

from portal.web import login


def session_is_live() -> bool:
    """True for a complete admin login within the session lifetimes (marks it seen)."""
    return login.is_live()


def current_scope() -> str:
    """The region code the logged-in admin may see (province, regency or village)."""
    user = getattr(current_user, "user", current_user)
    return user.scope_kode
