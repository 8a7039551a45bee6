"""The officers' login session, as the console and the report pages both keep it.

Login itself (password, TOTP) is the console's; this is the one rule both blueprints
apply afterwards: a session ends after `IDLE_TIMEOUT` without a page, and after
`ABSOLUTE_TIMEOUT` whatever happens (acceptance test AT-20: the console holds codes,
gateway secrets and village data, often on shared office PCs).
"""

from __future__ import annotations

from datetime import timedelta

from flask import session
from flask_login import current_user

from portal.web import context

IDLE_TIMEOUT = timedelta(minutes=15)
ABSOLUTE_TIMEOUT = timedelta(hours=8)
STARTED, SEEN = "admin_auth_at", "admin_seen_at"


def start() -> None:
    """Mark the session as begun (and seen) now: a login just completed."""
    session[STARTED] = session[SEEN] = context.now().timestamp()


def expired() -> bool:
    """True when the session passed its idle or absolute lifetime."""
    moment = context.now().timestamp()
    started = session.get(STARTED, 0)
    seen = session.get(SEEN, started)
    return (
        moment - started > ABSOLUTE_TIMEOUT.total_seconds()
        or moment - seen > IDLE_TIMEOUT.total_seconds()
    )


def is_live() -> bool:
    """True for a complete login within the lifetimes; marks the session as seen now."""
    if not current_user.is_authenticated or expired():
        return False
    session[SEEN] = context.now().timestamp()
    return True


def forget() -> None:
    """Drop what says a login began (the caller logs the user out)."""
    session.pop(STARTED, None)
