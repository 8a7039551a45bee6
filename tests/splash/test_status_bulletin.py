"""After login: the status page, and the public village bulletin."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from flask.testing import FlaskClient

from tests.splash.conftest import MAC, NAS_ID, World, ticket_of


def test_status_through_dst_shows_connection_quota_logout_and_news(
    portal_client: FlaskClient, world: World, open_splash
) -> None:
    page = open_splash(link_orig="")
    accepted = portal_client.post("/hotspot/accept", data={"t": ticket_of(page)})
    dst = parse_qs(urlsplit(accepted.headers["Location"]).query)["dst"][0]
    assert dst.startswith("http://portal.test/hotspot/status?s=")
    status = portal_client.get(dst.removeprefix("http://portal.test"))
    html = status.get_data(as_text=True)
    assert status.status_code == 200
    assert "Anda sudah tersambung ke internet." in html
    assert "Sisa kuota hari ini" in html and "Kabar desa" in html
    assert 'href="http://10.5.50.1/logout"' in html


def test_status_from_the_routers_status_page(portal_client: FlaskClient, world: World) -> None:
    status = portal_client.get(
        "/hotspot/status",
        query_string={"identity": NAS_ID, "mac": MAC, "link-logout": "http://10.5.50.1/logout"},
    )
    assert status.status_code == 200 and 'href="http://10.5.50.1/logout"' in status.text
    evil = portal_client.get(
        "/hotspot/status",
        query_string={"identity": NAS_ID, "mac": MAC, "link-logout": "http://evil.example/"},
    )
    assert evil.status_code == 200 and "evil.example" not in evil.text
    assert portal_client.get("/hotspot/status?s=forged").status_code == 400


def test_bulletin_by_code_digits_or_slug(portal_client: FlaskClient, world: World) -> None:
    for key in ("64.01.01.2009", "6401012009", "samurangau", "SAMURANGAU"):
        page = portal_client.get(f"/desa/{key}")
        assert page.status_code == 200, key
        assert "Posyandu Balita bulan ini" in page.text
        assert "public" in page.headers["Cache-Control"]
    assert portal_client.get("/desa/tidak-ada").status_code == 404
    english = portal_client.get("/desa/samurangau?lang=en")
    assert "Samurangau Village" in english.text
