"""Snapshots of the whole database, to prove a request changed nothing."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask

from portal.database import db
from portal.storage import Base
from tests.admin.world import UNWATCHED

#: Columns a request may touch without changing anything anyone relies on; each is a
#: documented side effect in tests/security/routes.py (or, for the login bookkeeping,
#: in tests/admin/world.py).
BOOKKEEPING = {
    # routers.heartbeat (a POST with the router's token) and routers.hotspot_file (a GET
    # with it): when the router was heard from, which pages it holds and fetched.
    "gateway": {"last_seen_at", "pages_held", "pages_fetched", "pages_fetched_at"},
    "api_token": {"last_used_at"},  # api.usage
}
#: Whole tables of the same kind: the heartbeat's uptime buckets, and the day's
#: pseudonym key, created once by the first request of a village's day.
BOOKKEEPING_TABLES = UNWATCHED | {"gateway_uptime", "pseudonym_key"}


def snapshot(app: Flask, *, strict: bool = False) -> dict[str, list[tuple[str, ...]]]:
    """Every row of every table, minus the bookkeeping above unless ``strict``."""
    with app.app_context():
        state = {}
        for table in Base.metadata.sorted_tables:
            if not strict and table.name in BOOKKEEPING_TABLES:
                continue
            skip = set() if strict else BOOKKEEPING.get(table.name, set())
            columns = [c for c in table.c if c.name not in skip]
            rows = db.session.execute(sa.select(*columns)).all()
            state[table.name] = sorted(tuple(map(repr, row)) for row in rows)
        db.session.rollback()
        return state


def changed(before: dict, after: dict) -> list[str]:
    """Names of the tables whose rows differ."""
    return sorted(name for name in before if before[name] != after.get(name))
