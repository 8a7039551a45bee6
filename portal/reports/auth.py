"""Who may see the report pages: the admin console's logged-in admin, scoped by region.

Login, TOTP, session versions and the idle and absolute session lifetimes belong to the
admin console (portal/admin); the report pages apply the same rules through
`session_is_live` and read the admin's region through `current_scope`.
"""

from __future__ import annotations

from flask import session
from flask_login import current_user

from portal import admin as console


def session_is_live() -> bool:
    """True for a complete admin login within the console's session lifetimes.

    Marks the session as seen now, as the console's own pages do.
    """
    # The console keeps its lifetime check private; it is the one rule both share.
    if not current_user.is_authenticated or console.session_expired():
        return False
    session["admin_seen_at"] = console.now().timestamp()
    return True


def current_scope() -> str:
    """The region code the logged-in admin may see (province, regency or village)."""
    user = getattr(current_user, "user", current_user)
    return user.scope_kode
