"""The role column of the web security matrix: every console and report route against
the roles under its lowest one, and that lowest role itself.

Routes are read from ``app.url_map``; each route's lowest role is declared once, in
`tests.security.routes.ROUTES` (a ``login`` route without one fails `unclassified`, and
this module). Every caller acts on objects of a village in its own scope (village A),
so tenant scope cannot be what refuses it: only the role can. A role below the route's
gets 403 (`portal.admin.scope.require_role`) and changes nothing; the lowest role gets
through. Tenant scope has its own matrices (test_route_matrix, test_isolation_matrix).
"""

from __future__ import annotations

import io

import pytest
from flask.testing import FlaskClient
from PIL import Image

from portal import settings_of
from portal.admin import PUBLIC_ENDPOINTS
from portal.database import db
from portal.domain.accounts.admins import ROLE_RANK
from portal.models import Announcement
from portal.web import pictures
from tests.admin import test_isolation_matrix as admin_matrix
from tests.admin.conftest import VILLAGE_A, csrf_token, log_in
from tests.admin.world import VillageObjects, seed_village
from tests.security.conftest import ROLE_CLIENTS, World
from tests.security.routes import ROLES, ROUTES, STATIC_VALUES, app_rules, below, fill
from tests.security.state import changed, snapshot

RULES = app_rules()
#: The routes a role can be refused on: the console's and the report pages.
ROLE_RULES = [
    (rule, endpoint, methods)
    for rule, endpoint, methods in RULES
    if endpoint.split(".")[0] in ("admin", "reports") and endpoint not in PUBLIC_ENDPOINTS
]
#: Routes that take away what the others use (the notice, the login): called last.
LAST = ("admin.bulletin_delete", "admin.logout")


def test_every_console_route_declares_its_lowest_role():
    undeclared = [
        f"{rule} ({endpoint})"
        for rule, endpoint, _methods in ROLE_RULES
        if endpoint not in ROUTES or ROUTES[endpoint].role not in ROLES
    ]
    assert undeclared == [], "declare the lowest role in tests/security/routes.py"
    assert sorted(ROLE_RANK, key=ROLE_RANK.__getitem__) == list(ROLES)  # the app's ranks
    assert len(ROLE_RULES) >= 39  # 34 console pages and actions, 5 report pages


def test_roles_below_a_routes_lowest_are_refused_and_change_nothing(world: World):
    target = world.objects["A"]
    tokens = {role: csrf_token(world.of_role(role)) for role in ROLES}
    before = snapshot(world.app, strict=True)
    let_through, probed = [], 0
    for rule, endpoint, methods in ROLE_RULES:
        path = fill(rule, world.values("A"))
        for role in below(ROUTES[endpoint].role):
            for method in methods:
                data = {**admin_matrix.form_for(target), "csrf_token": tokens[role]}
                response = world.of_role(role).open(
                    path, method=method, data=data if method == "POST" else None
                )
                if response.status_code != 403:
                    let_through.append(
                        f"{method} {rule} ({endpoint}) answered a {role} admin with"
                        f" {response.status_code}, not 403"
                    )
                probed += 1
    let_through += [  # and nothing a refused request did may remain
        f"table {name} changed" for name in changed(before, snapshot(world.app, strict=True))
    ]
    assert not let_through, "\n".join(let_through)
    assert probed >= 13  # every method of the 10 regency routes, for a village admin


def test_a_routes_lowest_role_gets_through(world: World, monkeypatch: pytest.MonkeyPatch):
    """Every method of every route, by its lowest role, on a second set of village A's
    objects (this test really edits, deletes and logs out), answers below 400."""
    monkeypatch.setitem(world.app.config, "WIFIDESA_DISCONNECT", lambda **_: "ack")
    fresh = _fresh_objects(world)
    values = {**STATIC_VALUES, **fresh.url_values()}
    clients = {role: _logged_in(world, role) for role in ROLES}
    tokens = {role: csrf_token(client) for role, client in clients.items()}
    calls = [
        (rule, endpoint, method) for rule, endpoint, methods in ROLE_RULES for method in methods
    ]
    calls.sort(key=lambda call: LAST.index(call[1]) if call[1] in LAST else -1)
    refused = []
    for rule, endpoint, method in calls:
        role = ROUTES[endpoint].role
        data = {**admin_matrix.form_for(fresh), "csrf_token": tokens[role]}
        response = clients[role].open(
            fill(rule, values), method=method, data=data if method == "POST" else None
        )
        # A redirect to the login page means the session was lost on the way, except
        # from the logout, which says goodbye with it.
        location = response.headers.get("Location", "")
        lost = location.endswith("/admin/login") and endpoint != "admin.logout"
        if response.status_code >= 400 or lost:
            refused.append(
                f"{method} {rule} ({endpoint}) answered a {role} admin with"
                f" {response.status_code} {location}"
            )
    assert not refused, "\n".join(refused)


def _fresh_objects(world: World) -> VillageObjects:
    """One more of everything in village A, its notice with a picture."""
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, "JPEG")
    with world.app.app_context():
        fresh = seed_village(VILLAGE_A, "D")
        note = db.session.get(Announcement, fresh.announcement_id)
        note.image_path = pictures.store_picture(buffer.getvalue(), settings_of(world.app).data_dir)
        db.session.commit()
    return fresh


def _logged_in(world: World, role: str) -> FlaskClient:
    """A client of its own, logged in as the role's admin (this test logs it out)."""
    client = world.app.test_client()
    log_in(client, admin_matrix.create_or_get(world.app, ROLE_CLIENTS[role]))
    return client
