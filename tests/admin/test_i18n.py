"""Bahasa Indonesia first, English one tap away, with the same cookie as the residents' pages."""

from __future__ import annotations

from tests.admin.conftest import csrf_token, log_in


def test_admin_switches_to_english_and_back(app, make_admin):
    client = app.test_client()
    log_in(client, make_admin("operator"))
    assert "Buletin desa" in client.get("/admin/bulletin").get_data(as_text=True)
    token = csrf_token(client, "/admin/")
    client.post("/admin/language", data={"lang": "en", "csrf_token": token})
    page = client.get("/admin/bulletin").get_data(as_text=True)
    assert "Village bulletin" in page and '<html lang="en">' in page
    client.post("/admin/language", data={"lang": "id", "csrf_token": token})
    assert "Buletin desa" in client.get("/admin/bulletin").get_data(as_text=True)


def test_form_labels_and_choices_follow_the_language(app, make_admin):
    client = app.test_client()
    log_in(client, make_admin("operator"))
    page = client.get("/admin/vouchers").get_data(as_text=True)
    assert "Jumlah voucher" in page and "Kertas A4" in page
    client.post("/admin/language", data={"lang": "en", "csrf_token": csrf_token(client, "/admin/")})
    page = client.get("/admin/vouchers").get_data(as_text=True)
    assert "Jumlah voucher" not in page and "Kertas A4" not in page
    assert "A4 paper" in page


def test_one_cookie_for_the_console_and_the_residents_pages(app, make_admin):
    client = app.test_client()
    log_in(client, make_admin("operator"))
    response = client.post(
        "/admin/language", data={"lang": "en", "csrf_token": csrf_token(client, "/admin/")}
    )
    assert "lang=en" in response.headers["Set-Cookie"]
    assert client.get_cookie("lang").value == "en"
    client.post("/admin/language", data={"lang": "xx", "csrf_token": csrf_token(client, "/admin/")})
    assert client.get_cookie("lang").value == "id"
