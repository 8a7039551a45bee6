"""The world of the security matrix: three villages with one of everything each, admins
of every role, an API token, and a test client that checks the security headers and
cookie flags of every response it ever receives (redirects and error pages included).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher, Type
from flask import Flask
from flask.testing import FlaskClient

from portal.database import db
from portal.domain.accounts import admins, logins
from portal.models import ApiToken, Gateway
from tests.admin.conftest import NOW, OTHER_REGENCY_VILLAGE, build_app, create_admin, log_in
from tests.admin.world import VillageObjects, seed_village, seed_world
from tests.databases import BACKENDS
from tests.security.headers import check_response
from tests.security.routes import ROUTES, STATIC_VALUES

#: The API token of village A's scope (its SHA-256 is stored).
API_TOKEN = "matrix-token-" + "a" * 32
SLUGS = {"A": "samurangau", "B": "busui", "C": "perian"}
HOTSPOT_HOSTS = {"A": "hs-a.desa.lan", "B": "hs-b.desa.lan", "C": "hs-c.desa.lan"}
#: Gateway A's /login, as its router's login page posts it.
ROUTER_LOGIN = f"http://{HOTSPOT_HOSTS['A']}/login"
#: Who acts for each role, always with village A in scope (see `World.of_role`).
ROLE_CLIENTS = {"village": "op-a", "regency": "kab", "province": "prov"}


class CheckedClient(FlaskClient):
    """A test client that checks every response's security headers and cookies."""

    def open(self, *args: object, **kwargs: object):  # type: ignore[override]
        response = super().open(*args, **kwargs)
        response.get_data()  # buffer the body (a sent file), so it can be closed now
        response.close()
        check_response(self.application, response)
        return response


@dataclass
class World:
    app: Flask
    backend: str
    objects: dict[str, VillageObjects]
    #: Logged-in clients by name: op-a, op-b (village admins), kab (regency 64.01), prov
    #: (province 64); op-a, kab and prov all cover village A.
    clients: dict[str, FlaskClient] = field(default_factory=dict)

    def values(self, tenant: str) -> dict[str, object]:
        """URL parameter values that point at ``tenant``'s objects."""
        objects = self.objects[tenant]
        return {
            **STATIC_VALUES,
            **objects.url_values(),
            "key": SLUGS[tenant],
            "nas_id": f"gw-{tenant.lower()}",
        }

    def of_role(self, role: str) -> FlaskClient:
        """The logged-in client of ``role`` whose scope covers village A."""
        return self.clients[ROLE_CLIENTS[role]]

    def anonymous(self) -> FlaskClient:
        return self.app.test_client()

    def caller(self, endpoint: str) -> FlaskClient:
        """Who calls a route in the positive case: the regency admin for login routes."""
        return self.clients["kab"] if ROUTES[endpoint].access == "login" else self.anonymous()

    def reaching_query(self, endpoint: str) -> dict[str, str]:
        """Query values that get past a route's own checks (router fields, tokens)."""
        from tests.splash.conftest import router_fields

        queries = {
            "api.usage": {
                "scope": self.objects["A"].kode,
                "from": "2026-11-01",
                "to": "2026-11-22",
            },
            "splash.entry": router_fields(identity="gw-a", link_login_only=ROUTER_LOGIN),
            "splash.voucher_link": {"code": "ABCD-EFGH"},
        }
        return dict(queries.get(endpoint, {}))


def _cheap_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1, type=Type.ID)
    monkeypatch.setattr(admins, "HASHER", cheap)
    monkeypatch.setattr(logins, "_DUMMY_HASH", cheap.hash("wifidesa-no-such-user"))


@pytest.fixture(scope="module", params=BACKENDS)
def world(request: pytest.FixtureRequest, tmp_path_factory) -> Iterator[World]:
    with pytest.MonkeyPatch.context() as monkeypatch:
        _cheap_hashing(monkeypatch)
        for app in build_app(request.param, tmp_path_factory.mktemp("security")):
            app.test_client_class = CheckedClient
            yield _populate(app, request.param)


def _populate(app: Flask, backend: str) -> World:
    a, b = seed_world(app)
    with app.app_context():
        c = seed_village(OTHER_REGENCY_VILLAGE, "C")
        for tenant in ("A", "B", "C"):
            gateway = db.session.scalars(
                sa.select(Gateway).where(Gateway.nas_identifier == f"gw-{tenant.lower()}")
            ).one()
            gateway.hotspot_host = HOTSPOT_HOSTS[tenant]
        db.session.add(
            ApiToken(
                token_hash=hashlib.sha256(API_TOKEN.encode()).hexdigest(),
                scope_kode=a.kode,
                label="matriks",
                created_at=NOW,
            )
        )
        db.session.commit()
    world = World(app, backend, {"A": a, "B": b, "C": c})
    for role, kind, scope in (
        ("op-a", "village", a.kode),
        ("op-b", "village", b.kode),
        ("kab", "regency", "64.01"),
        ("prov", "province", "64"),
    ):
        admin = create_admin(app, role, kind, scope)
        client = app.test_client()
        log_in(client, admin)
        world.clients[role] = client
    return world
