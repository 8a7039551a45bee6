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
    router_page = portal_client.get(f"/mt/{NAS_ID}/status.html")
    assert router_page.status_code == 200 and len(router_page.data) < 2048
    for name in ("identity", "mac", "link-logout"):
        assert f'name="{name}" value="$({name})"' in router_page.text
    fields = {"identity": NAS_ID, "mac": MAC, "link-logout": "http://10.5.50.1/logout"}
    posted = portal_client.post("/hotspot/status", data=fields)
    assert posted.status_code == 303 and MAC not in posted.headers["Location"]
    status = portal_client.get(posted.headers["Location"])
    assert status.status_code == 200 and 'href="http://10.5.50.1/logout"' in status.text
    assert "Anda sudah tersambung" in status.text
    evil = portal_client.get(
        "/hotspot/status", query_string={**fields, "link-logout": "http://evil.example/"}
    )
    followed = portal_client.get(evil.headers["Location"])
    assert followed.status_code == 200 and "evil.example" not in followed.text
    assert portal_client.get("/hotspot/status?s=forged").status_code == 400
    assert portal_client.post("/hotspot/status", data={**fields, "mac": "x"}).status_code == 400


def test_oversized_bodies_are_refused(portal_client: FlaskClient, world: World) -> None:
    answer = portal_client.post("/hotspot", data={"identity": NAS_ID, "error": "x" * 20_000})
    assert answer.status_code == 413


def test_bulletin_by_code_digits_or_slug(portal_client: FlaskClient, world: World) -> None:
    for key in ("64.01.01.2009", "6401012009", "samurangau", "SAMURANGAU"):
        page = portal_client.get(f"/desa/{key}")
        assert page.status_code == 200, key
        assert "Posyandu Balita bulan ini" in page.text
        assert "public" in page.headers["Cache-Control"]
    assert portal_client.get("/desa/tidak-ada").status_code == 404
    english = portal_client.get("/desa/samurangau?lang=en")
    assert "Samurangau Village" in english.text
