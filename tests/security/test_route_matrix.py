"""The web security matrix over every route of the app (AT-15, AT-16, AT-18, AT-19, AT-21).

Routes are read from ``app.url_map`` and must each be classified in
`tests.security.routes.ROUTES`; a new route fails `test_every_route_is_classified`
until someone decides who may call it and how its writes are protected. Every response
any test here receives passes `tests.security.headers.check_response` (CSP, nosniff,
referrer policy, HSTS, cookie flags), redirects and error pages included.

The admin blueprint's own isolation matrix (tests/admin/test_isolation_matrix.py) runs
every admin route for a village admin against another village and a regency admin
against another regency; this module adds the other direction, every non-admin route,
the API token, and anonymous callers.
"""

from __future__ import annotations

import pytest

from portal import create_app
from portal.config import Settings
from tests.admin import test_isolation_matrix as admin_matrix
from tests.admin.conftest import PASSWORD
from tests.security.conftest import API_TOKEN, HOTSPOT_HOSTS, CheckedClient, World
from tests.security.routes import (
    PROBED_METHODS,
    ROUTES,
    WRITE_METHODS,
    app_rules,
    fill,
    unclassified,
)
from tests.security.state import changed, snapshot

FOREIGN = "https://evil.example"
BEARER = {"Authorization": f"Bearer {API_TOKEN}"}


RULES = app_rules()
OBJECT_RULES = [r for r in RULES if "<" in r[0] and r[1] != "static"]


def token_of(client) -> str:
    page = client.get("/admin/login").get_data(as_text=True)
    return page.split('name="csrf-token" content="')[1].split('"')[0]


def test_every_route_is_classified():
    app = create_app(Settings(secret_key="only-for-listing-routes"))
    assert unclassified(app) == []
    assert len(RULES) >= 55  # splash, hotspot, admin, reports, api, ops, static


def test_undeclared_methods_are_refused_with_405(world: World):
    by_path: dict[str, set[str]] = {}
    for rule, endpoint, _methods in RULES:
        by_path.setdefault(rule, set()).update(ROUTES[endpoint].methods)
    before = snapshot(world.app, strict=True)
    for rule, allowed in by_path.items():
        path = fill(rule, world.values("A"))
        for client in (world.anonymous(), world.clients["kab"]):
            for method in sorted(set(PROBED_METHODS) - allowed):
                response = client.open(path, method=method, headers=BEARER)
                assert response.status_code == 405, (method, path, response.status_code)
                assert set(response.headers["Allow"].split(", ")) >= allowed
    assert changed(before, snapshot(world.app, strict=True)) == []


def test_anonymous_callers_reach_only_the_public_routes(world: World):
    client = world.anonymous()
    token = token_of(client)
    before = snapshot(world.app)
    public = 0
    for rule, endpoint, methods in RULES:
        route, path = ROUTES[endpoint], fill(rule, world.values("A"))
        for method in methods:
            data = {"csrf_token": token} if method == "POST" else None
            response = client.open(path, method=method, data=data)
            where = (method, path, response.status_code)
            if route.access == "login":
                assert response.status_code == 302, where
                assert response.headers["Location"].endswith("/admin/login"), where
            elif route.access == "bearer":
                assert response.status_code == 401, where
                assert response.headers["WWW-Authenticate"].startswith("Bearer"), where
                assert set(response.get_json()) == {"error"}, where
            elif route.access == "router":
                assert response.status_code == 404, where  # no token: as if unknown
            else:
                assert route.access == "public", endpoint
                assert response.status_code < 500, where
                public += 1
    assert public >= 15
    assert changed(before, snapshot(world.app)) == []


def test_without_a_session_token_no_private_post_gets_through(world: World):
    client = world.anonymous()
    before = snapshot(world.app)
    for rule, endpoint, methods in RULES:
        if "POST" in methods and ROUTES[endpoint].writes == "csrf":
            response = client.post(fill(rule, world.values("A")), data={})
            assert response.status_code == 400, (rule, response.status_code)
    assert changed(before, snapshot(world.app)) == []


def _get_requests(world: World) -> list[tuple[object, str, dict]]:
    """Every GET route, called by every kind of caller, with query values that reach
    past the routes' own checks (the API's token, the heartbeat's, router fields)."""
    callers = [world.anonymous(), world.clients["op-a"], world.clients["kab"]]
    requests = []
    for rule, endpoint, methods in RULES:
        if "GET" in methods:
            path = fill(rule, world.values("A"))
            for client in callers:
                requests.append((client, path, world.reaching_query(endpoint)))
    return requests


def test_no_route_changes_state_on_get_or_head(world: World):
    requests = _get_requests(world)
    strict = snapshot(world.app, strict=True)
    before = snapshot(world.app)
    for method in ("GET", "HEAD"):
        for client, path, query in requests:
            response = client.open(path, method=method, query_string=query, headers=BEARER)
            assert response.status_code < 500, (method, path)
    assert changed(before, snapshot(world.app)) == []
    # The documented side effects really are the only ones: the API token's last use,
    # the day's pseudonym key, the audit log (reading a gateway's script shows its
    # secret and is audited).
    touched = changed(strict, snapshot(world.app, strict=True))
    assert set(touched) <= {
        "api_token",
        "pseudonym_key",
        "audit_entry",
    }


@pytest.mark.parametrize(
    ("origin", "referer"),
    [
        (FOREIGN, None),
        ("null", None),
        (None, f"{FOREIGN}/form"),
        (FOREIGN, "https://portal.example.id/admin/"),
    ],
    ids=["foreign-origin", "null-origin", "foreign-referer", "foreign-origin-own-referer"],
)
def test_a_valid_token_from_another_site_is_refused(world: World, origin, referer):
    headers = {k: v for k, v in (("Origin", origin), ("Referer", referer)) if v}
    before = snapshot(world.app)
    posts = 0
    for rule, endpoint, methods in RULES:
        if ROUTES[endpoint].writes != "csrf":
            continue
        client = world.caller(endpoint)
        data = {**admin_matrix.form_for(world.objects["A"]), "csrf_token": token_of(client)}
        for method in methods:
            if method in WRITE_METHODS:
                response = client.open(
                    fill(rule, world.values("A")), method=method, data=data, headers=headers
                )
                assert response.status_code == 403, (rule, response.status_code)
                posts += 1
    assert posts >= 20
    assert changed(before, snapshot(world.app)) == []


def test_the_origin_check_lets_the_site_itself_through(world: World):
    client = world.anonymous()
    for origin in ("https://portal.example.id", "http://localhost"):
        response = client.post(
            "/admin/language",
            data={"lang": "en", "csrf_token": token_of(client)},
            headers={"Origin": origin},
        )
        assert response.status_code == 302, origin


def test_router_posts_and_the_accept_form_change_nothing_without_a_ticket(world: World):
    client = world.anonymous()
    fields = world.reaching_query("splash.entry")
    client.post("/hotspot", data=fields)  # the day's key
    before = snapshot(world.app, strict=True)
    for origin in (FOREIGN, "null", f"http://{HOTSPOT_HOSTS['A']}"):
        headers = {"Origin": origin}
        # The router's own pages post from the hotspot address: answered with a signed
        # ticket in a 303, nothing stored.
        assert client.post("/hotspot", data=fields, headers=headers).status_code == 303
        status = {"identity": "gw-a", "mac": fields["mac"], "link-logout": ""}
        assert client.post("/hotspot/status", data=status, headers=headers).status_code == 303
        for ticket in ("", "forged.ticket", "x" * 3000):
            response = client.post("/hotspot/accept", data={"t": ticket}, headers=headers)
            assert response.status_code == 400, (origin, ticket[:10])
    assert changed(before, snapshot(world.app, strict=True)) == []


# --- tenant isolation (AT-21) ------------------------------------------------------------

#: (caller, victim tenant): village admins both ways, the regency (Diskominfo) admin against
#: another regency, village A's API token against village B. Anonymous callers are the
#: subject of `test_anonymous_callers_reach_only_the_public_routes`.
PAIRS = [("op-a", "B"), ("op-b", "A"), ("kab", "C"), ("api", "B")]
#: Pairs the admin matrix already runs over every admin route; here they cover the rest.
ADMIN_MATRIX_PAIRS = {("op-a", "B"), ("kab", "C")}


def test_the_admin_matrix_covers_every_admin_object_route():
    admin_rules = {rule for rule, _endpoint, _methods in admin_matrix.RULES}
    assert {rule for rule, endpoint, _m in OBJECT_RULES if endpoint.startswith("admin.")} <= (
        admin_rules
    )


@pytest.mark.parametrize(("caller", "victim"), PAIRS)
def test_no_caller_reaches_another_tenants_objects(world: World, caller, victim):
    target = world.objects[victim]
    client = world.anonymous() if caller == "api" else world.clients[caller]
    headers = BEARER if caller == "api" else {}
    token = token_of(client)
    before = snapshot(world.app)
    checked = 0
    for rule, endpoint, methods in OBJECT_RULES:
        route = ROUTES[endpoint]
        if route.access != "login":
            continue  # public object routes (a village's bulletin) are public by design
        if endpoint.startswith("admin.") and (caller, victim) in ADMIN_MATRIX_PAIRS:
            continue
        for method in methods:
            data = {**admin_matrix.form_for(target), "csrf_token": token}
            response = client.open(
                fill(rule, world.values(victim)),
                method=method,
                data=data if method == "POST" else None,
                headers=headers,
            )
            body = response.get_data(as_text=True)
            expected = (302,) if caller == "api" else (403, 404)
            assert response.status_code in expected, (method, rule, response.status_code)
            assert target.marker not in body and f"gw-{victim.lower()}" not in body, rule
            checked += 1
    if caller == "api":
        response = client.get(
            "/api/v1/usage",
            query_string={"scope": target.kode, "from": "2026-11-01", "to": "2026-11-22"},
            headers=headers,
        )
        assert response.status_code == 403 and "rows" not in response.get_json()
        heartbeat = f"/mt/gw-{victim.lower()}/heartbeat"
        assert client.post(heartbeat, data={"token": "t" * 30 + "A"}).status_code == 404
    else:
        assert checked >= 1
    assert changed(before, snapshot(world.app)) == []


def test_errors_redirects_and_the_login_cookie_carry_the_headers_too(world: World):
    """Every response here passes `check_response` (the client does it); these are the
    kinds the sweeps above may not reach: a 404, 413, a login that sets the cookie."""
    client = world.anonymous()
    assert isinstance(client, CheckedClient)
    for path, status in (("/tidak-ada", 404), ("/admin/", 302), ("/api/v1/usage", 401)):
        assert client.get(path).status_code == status
    assert client.post("/hotspot", data={"identity": "x" * 20_000}).status_code == 413
    response = client.post(
        "/admin/login",
        data={"username": "op-a", "password": PASSWORD, "csrf_token": token_of(client)},
    )
    assert response.status_code == 302
    cookies = response.headers.getlist("Set-Cookie")
    assert [c for c in cookies if c.startswith("__Host-session=")], cookies
    assert world.app.config["SESSION_COOKIE_NAME"] == "__Host-session"
