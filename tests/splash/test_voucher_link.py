"""A voucher card's QR code: the code is remembered and fills the splash's voucher box."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient

from portal.web.qr import voucher_url
from tests.splash.conftest import World


def test_the_card_url_remembers_the_code_for_a_day(portal_client: FlaskClient) -> None:
    path = voucher_url("", "abcde fgh23")
    response = portal_client.get(path)
    assert response.status_code == 200
    assert "ABCDE-FGH23" in response.get_data(as_text=True)
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("wd_voucher=ABCDEFGH23;")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Max-Age=86400" in cookie
    assert response.headers["Cache-Control"] == "no-store"


def test_an_unreadable_code_is_explained_and_not_remembered(portal_client: FlaskClient) -> None:
    response = portal_client.get("/hotspot/voucher?code=<script>alert(1)</script>")
    assert response.status_code == 400
    assert "Set-Cookie" not in response.headers
    assert "<script>alert" not in response.get_data(as_text=True)


def test_the_splash_fills_in_the_remembered_code(
    portal_client: FlaskClient, world: World, open_splash: Callable[..., Any]
) -> None:
    assert 'name="voucher" value=""' in open_splash().get_data(as_text=True)
    portal_client.get("/hotspot/voucher?code=ABCDE-FGH23")
    page = open_splash().get_data(as_text=True)
    assert 'name="voucher" value="ABCDE-FGH23"' in page
