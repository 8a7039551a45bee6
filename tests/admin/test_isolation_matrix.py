"""The role-isolation matrix, over every route of the admin blueprint.

Routes are read from ``app.url_map``, so a new admin route is in the matrix the moment
it exists. For each one:

* without a login it is refused (redirect to the login page, never content);
* an admin acting on another village's (or regency's) objects gets 403/404 and changes
  nothing, and no page shows the other village's data;
* every POST without a CSRF token, or with a wrong one, is refused and changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask

from portal import create_app
from portal.admin import PUBLIC_ENDPOINTS
from portal.config import Settings
from portal.database import db
from portal.models import AdminUser
from tests.admin.conftest import (
    OTHER_REGENCY_VILLAGE,
    PASSWORD,
    Admin,
    build_app,
    create_admin,
    log_in,
)
from tests.admin.world import VillageObjects, seed_village, seed_world, snapshot
from tests.databases import BACKENDS


def admin_rules() -> list[tuple[str, str, tuple[str, ...]]]:
    app = create_app(Settings(secret_key="only-for-listing-routes"))
    rules = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("admin."):
            methods = tuple(sorted(m for m in rule.methods if m in ("GET", "POST")))
            rules.append((rule.rule, rule.endpoint, methods))
    return sorted(rules)


RULES = admin_rules()
POST_RULES = [r for r in RULES if "POST" in r[2]]
PRIVATE_RULES = [r for r in RULES if r[1] not in PUBLIC_ENDPOINTS]


def form_for(target: VillageObjects) -> dict[str, object]:
    """Plausible values for every admin form field, all aimed at ``target``'s village."""
    return {
        "village": target.kode,
        "title": "Serangan",
        "category": "pengumuman",
        "body": "isi",
        "published": "y",
        "count": "2",
        "valid_days": "3",
        "layout": "a4",
        "nas_identifier": "gw-serang",
        "source_address": "10.9.9.9",
        "hotspot_host": "10.5.50.1",
        "coa_port": "3799",
        "summary": "a\nb\nc",
        "full_text": "teks",
        "site": "http://127.0.0.1:9/",
        "code": "000000",
        "current": "x",
        "new": "y" * 12,
        "username": "penyusup",
        "role": "village",
        "scope": target.kode,
        "channel": "email",  # the notifications test button
        "ssid": "Serangan",
        "timezone": "WITA",
        "area": target.kode,
        "label": "Serangan",
    }


@pytest.fixture(scope="module", params=BACKENDS)
def world(request, tmp_path_factory) -> Iterator[tuple[Flask, dict[str, VillageObjects]]]:
    for app in build_app(request.param, tmp_path_factory.mktemp("matrix")):
        a, b = seed_world(app)
        with app.app_context():
            c = seed_village(OTHER_REGENCY_VILLAGE, "C")
            db.session.commit()
        create_admin(app, "op-a", "village", a.kode)
        create_admin(app, "kab-6401", "regency", "64.01")
        yield app, {"A": a, "B": b, "C": c}


def url(rule: str, objects: VillageObjects) -> str:
    path = rule
    for name, value in objects.url_values().items():
        for converter in ("int:", "string:", ""):
            path = path.replace(f"<{converter}{name}>", str(value))
    assert "<" not in path, f"the matrix does not know a parameter of {rule}"
    return path


@pytest.mark.parametrize(("rule", "endpoint", "methods"), PRIVATE_RULES)
def test_unauthenticated_access_is_refused(world, rule, endpoint, methods):
    app, objects = world
    client = app.test_client()
    for method in methods:
        response = client.open(url(rule, objects["A"]), method=method, data={})
        if method == "POST":
            assert response.status_code == 400  # no CSRF token: refused before anything
        else:
            assert response.status_code == 302
            assert response.headers["Location"].endswith("/admin/login")


@pytest.mark.parametrize(("rule", "endpoint", "methods"), RULES)
@pytest.mark.parametrize(
    ("actor", "victim"), [("op-a", "B"), ("kab-6401", "C")], ids=["village", "regency"]
)
def test_admin_cannot_see_or_change_another_scope(world, rule, endpoint, methods, actor, victim):
    app, objects = world
    target = objects[victim]
    admin = create_or_get(app, actor)
    client = app.test_client()
    log_in(client, admin)
    token = client.get("/admin/account").get_data(as_text=True)
    token = token.split('name="csrf-token" content="')[1].split('"')[0]
    before = snapshot(app, target.kode)
    for method in methods:
        data = {**form_for(target), "csrf_token": token} if method == "POST" else None
        response = client.open(url(rule, target), method=method, data=data)
        body = response.get_data(as_text=True)
        if "<" in rule:
            assert response.status_code in (403, 404), (method, rule, response.status_code)
        assert target.marker not in body
        assert f"gw-{victim.lower()}" not in body
    assert snapshot(app, target.kode) == before


def create_or_get(app: Flask, username: str) -> Admin:
    with app.app_context():
        user = db.session.scalars(sa.select(AdminUser).where(AdminUser.username == username)).one()
        return Admin(user.id, username, PASSWORD, user.totp_secret)


@pytest.mark.parametrize(("rule", "endpoint", "methods"), POST_RULES)
@pytest.mark.parametrize("token", [None, "salah"], ids=["missing", "wrong"])
def test_post_without_a_valid_csrf_token_is_refused(world, rule, endpoint, methods, token):
    app, objects = world
    client = app.test_client()
    log_in(client, create_or_get(app, "kab-6401"))
    before = snapshot(app)
    data = form_for(objects["A"])
    if token:
        data["csrf_token"] = token
    response = client.post(url(rule, objects["A"]), data=data)
    assert response.status_code == 400
    assert snapshot(app) == before


def test_the_public_allow_list_is_short_and_known():
    # Widening this list opens pages to anyone: change this test only on purpose.
    assert {
        "admin.login",
        "admin.login_totp",
        "admin.totp_enrol_pending",
        "admin.language",
    } == PUBLIC_ENDPOINTS
    assert len(RULES) >= 30  # the matrix really sees the whole console
