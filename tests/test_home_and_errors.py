"""The portal's own address says what it is; error pages speak the reader's language."""

from __future__ import annotations

import re

import pytest
from flask import Flask, abort

from portal.database import db
from portal.world import World
from tests.conftest import TEST_NOW, TEST_SECRET_KEY


@pytest.fixture
def villages(app: Flask) -> None:
    with app.app_context():
        world = World(db.session, now=TEST_NOW, master_key=TEST_SECRET_KEY)
        world.village("64.01.01.2009")
        world.village("64.02.01.2001")
        db.session.commit()


def links(page: str) -> list[str]:
    return re.findall(r'href="([^"]+)"', page)


def test_the_root_page_says_what_this_is_and_leads_on(app, villages):
    response = app.test_client().get("/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Wi-Fi gratis untuk desa" in page
    assert "/admin/login" in links(page)
    assert "/desa/samurangau" in links(page)
    assert "/desa/perian" in links(page)
    assert "Kabupaten Paser" in page and "Kabupaten Kutai Kartanegara" in page
    english = app.test_client().get("/?lang=en").get_data(as_text=True)
    assert "Free Wi-Fi for villages" in english
    assert "Log in to the admin console" in english


def test_every_bulletin_the_root_page_lists_opens(app, villages):
    client = app.test_client()
    for href in links(client.get("/").get_data(as_text=True)):
        if href.startswith("/desa/"):
            assert client.get(href).status_code == 200, href


def test_a_missing_page_is_explained_in_indonesian_or_english(app):
    client = app.test_client()
    response = client.get("/tidak-ada")
    page = response.get_data(as_text=True)
    assert response.status_code == 404
    assert '<html lang="id">' in page
    assert "Halaman tidak ditemukan" in page
    assert "Not Found" not in page and "requested URL was not found" not in page
    assert "/" in links(page)
    client.set_cookie("lang", "en")
    page = client.get("/tidak-ada").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Page not found" in page
    assert "requested URL was not found" not in page


def test_a_wrong_method_keeps_its_allow_header_and_our_words(app):
    response = app.test_client().delete("/hotspot/status")
    assert response.status_code == 405
    assert "Allow" in response.headers
    assert "Method Not Allowed" not in response.get_data(as_text=True)


def test_a_server_error_is_explained_in_the_readers_language(app):
    @app.get("/rusak")
    def broken() -> str:
        raise RuntimeError("a bug")

    @app.get("/ditolak")
    def refused() -> str:
        abort(400, "Tanggal harus berbentuk YYYY-MM-DD")

    client = app.test_client()
    response = client.get("/rusak")
    assert response.status_code == 500
    assert "Terjadi kesalahan" in response.get_data(as_text=True)
    response = client.get("/rusak?lang=en")
    assert "Something went wrong" in response.get_data(as_text=True)
    assert "a bug" not in response.get_data(as_text=True)
    # A description our own code gave is shown as given.
    assert "Tanggal harus berbentuk" in client.get("/ditolak").get_data(as_text=True)
