"""Login, TOTP, throttling, session end on logout and password change, cookies, audit."""

from __future__ import annotations

import re
import time
from dataclasses import replace

import pyotp
import sqlalchemy as sa
from argon2 import Parameters, Type, extract_parameters

from portal import create_app, settings_of
from portal.config import utcnow
from portal.database import db
from portal.domain.accounts import admins
from portal.models import AuditEntry, LoginAttempt
from tests.admin.conftest import PASSWORD, csrf_token, get_user, log_in, post
from tests.clock import set_clock


def _try_login(client, username, password, environ=None):
    token = csrf_token(client)
    return client.post(
        "/admin/login",
        data={"username": username, "password": password, "csrf_token": token},
        environ_base=environ or {},
    )


def test_village_admin_logs_in_with_password_only(app, make_admin):
    admin = make_admin("operator")
    client = app.test_client()
    assert client.get("/admin/").status_code == 302
    log_in(client, admin)
    page = client.get("/admin/")
    assert page.status_code == 200
    assert "operator" in page.get_data(as_text=True)


def test_wrong_password_is_refused_and_counted_without_the_raw_address(app, make_admin):
    make_admin("operator")
    client = app.test_client()
    response = _try_login(client, "operator", "salah-salah-salah", {"REMOTE_ADDR": "10.9.8.7"})
    assert response.status_code == 200
    assert "Nama pengguna atau kata sandi salah" in response.get_data(as_text=True)
    with app.app_context():
        attempt = db.session.scalars(sa.select(LoginAttempt)).one()
        assert "10.9.8.7" not in attempt.address_hash
        assert len(attempt.address_hash) == 64


def test_ten_failures_lock_the_account_with_a_clear_message(app, make_admin):
    make_admin("operator")
    client = app.test_client()
    for number in range(10):
        _try_login(client, "operator", f"salah-{number}-salah", {"REMOTE_ADDR": f"10.0.0.{number}"})
    response = _try_login(client, "operator", PASSWORD, {"REMOTE_ADDR": "10.0.1.1"})
    assert response.status_code == 429
    assert re.search(r"dikunci sampai pukul \d\d\.\d\d WITA", response.get_data(as_text=True))


def test_ten_failures_from_one_address_lock_that_address(app, make_admin):
    make_admin("operator")
    client = app.test_client()
    for number in range(10):
        _try_login(client, f"tebakan{number}", "salah-salah-salah", {"REMOTE_ADDR": "10.7.7.7"})
    locked = _try_login(client, "operator", PASSWORD, {"REMOTE_ADDR": "10.7.7.7"})
    assert locked.status_code == 429
    elsewhere = _try_login(app.test_client(), "operator", PASSWORD, {"REMOTE_ADDR": "10.7.7.8"})
    assert elsewhere.status_code == 302


def test_regency_admin_must_enrol_totp_before_getting_in(app, make_admin):
    admin = make_admin("diskominfo", "regency", "64.01", totp=False)
    client = app.test_client()
    response = _try_login(client, admin.username, PASSWORD)
    assert response.headers["Location"].endswith("/admin/login/totp/enrol")
    assert client.get("/admin/").status_code == 302  # not logged in yet
    page = client.get("/admin/login/totp/enrol").get_data(as_text=True)
    secret = page.split('data-testid="totp-secret">')[1].split("<")[0]
    token = csrf_token(client, "/admin/login/totp/enrol")
    response = client.post(
        "/admin/login/totp/enrol", data={"code": pyotp.TOTP(secret).now(), "csrf_token": token}
    )
    assert response.headers["Location"].endswith("/admin/")
    assert client.get("/admin/").status_code == 200
    assert get_user(app, admin.id).totp_secret == secret


def test_wrong_totp_code_keeps_the_admin_out(app, make_admin):
    admin = make_admin("diskominfo", "regency", "64.01")
    client = app.test_client()
    _try_login(client, admin.username, PASSWORD)
    token = csrf_token(client, "/admin/login/totp")
    wrong = "000000" if pyotp.TOTP(admin.totp_secret).now() != "000000" else "111111"
    response = client.post("/admin/login/totp", data={"code": wrong, "csrf_token": token})
    assert "Kode tidak cocok" in response.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302


def test_logout_ends_the_session_even_for_a_copied_cookie(app, make_admin):
    admin = make_admin("operator")
    client = app.test_client()
    log_in(client, admin)
    name = app.config["SESSION_COOKIE_NAME"]  # "__Host-session" behind https
    stolen = client.get_cookie(name).value
    assert post(client, "/admin/logout").status_code == 302
    replay = app.test_client()
    replay.set_cookie(name, stolen)
    assert replay.get("/admin/").status_code == 302


def test_password_change_ends_every_session(app, make_admin):
    admin = make_admin("operator")
    first, second = app.test_client(), app.test_client()
    log_in(first, admin)
    log_in(second, admin)
    response = post(
        first, "/admin/account", {"current": PASSWORD, "new": "sandi-baru-yang-panjang"}
    )
    assert response.headers["Location"].endswith("/admin/login")
    assert second.get("/admin/").status_code == 302
    admin.password = "sandi-baru-yang-panjang"
    log_in(first, admin)


def test_weak_new_password_is_refused(app, make_admin):
    admin = make_admin("operator")
    client = app.test_client()
    log_in(client, admin)
    response = post(client, "/admin/account", {"current": PASSWORD, "new": "pendek"})
    assert "Minimal 10 karakter" in response.get_data(as_text=True)


def test_session_cookie_is_httponly_lax_and_secure_behind_https(backend, tmp_path):
    from tests.admin.conftest import build_app, create_admin

    for app in build_app(backend, tmp_path):
        app.config["SESSION_COOKIE_SECURE"] = True
        admin = create_admin(app, "operator", "village", "64.01.01.2009")
        client = app.test_client()
        page = client.get("/admin/login", base_url="https://localhost").get_data(as_text=True)
        token = page.split('name="csrf-token" content="')[1].split('"')[0]
        response = client.post(
            "/admin/login",
            data={"username": admin.username, "password": PASSWORD, "csrf_token": token},
            base_url="https://localhost",
            headers={"Referer": "https://localhost/admin/login"},
        )
        cookie = response.headers["Set-Cookie"]
        assert "HttpOnly" in cookie
        assert "SameSite=Lax" in cookie
        assert "Secure" in cookie


def test_password_hash_is_argon2id_above_the_owasp_minimum():
    params = extract_parameters(admins.make_hasher().hash("eine-lange-probe"))
    assert isinstance(params, Parameters)
    assert params.type is Type.ID
    assert params.memory_cost >= 19 * 1024
    assert params.time_cost >= 2


def test_login_and_logout_are_audited(app, make_admin):
    admin = make_admin("operator")
    client = app.test_client()
    log_in(client, admin)
    post(client, "/admin/logout")
    with app.app_context():
        actions = db.session.scalars(
            sa.select(AuditEntry.action)
            .where(AuditEntry.actor_label == admin.username)
            .order_by(AuditEntry.id)
        ).all()
    assert actions == ["login", "logout"]


def test_sessions_expire_after_idle_and_absolute_limits(app, make_admin):
    from datetime import timedelta

    admin = make_admin("operator")
    client = app.test_client()
    log_in(client, admin)
    start = utcnow()
    set_clock(app, lambda: start + timedelta(minutes=14))
    assert client.get("/admin/").status_code == 200
    set_clock(app, lambda: start + timedelta(minutes=14 + 16))
    assert client.get("/admin/").status_code == 302


def test_admin_pages_are_never_cached(app, make_admin):
    client = app.test_client()
    log_in(client, make_admin("operator"))
    assert client.get("/admin/vouchers").headers["Cache-Control"] == "no-store"


def test_a_totp_code_is_accepted_only_once(app, make_admin):
    admin = make_admin("diskominfo", "regency", "64.01")
    code = pyotp.TOTP(admin.totp_secret).now()
    first, second = app.test_client(), app.test_client()
    for client in (first, second):
        _try_login(client, admin.username, PASSWORD)
    token = csrf_token(first, "/admin/login/totp")
    assert (
        first.post("/admin/login/totp", data={"code": code, "csrf_token": token}).status_code == 302
    )
    token = csrf_token(second, "/admin/login/totp")
    replay = second.post("/admin/login/totp", data={"code": code, "csrf_token": token})
    assert "Kode tidak cocok" in replay.get_data(as_text=True)
    assert second.get("/admin/").status_code == 302


def test_village_admin_may_turn_totp_on_and_off(app, make_admin):
    admin = make_admin("operator")
    client = app.test_client()
    log_in(client, admin)
    page = client.get("/admin/account/totp").get_data(as_text=True)
    secret = page.split('data-testid="totp-secret">')[1].split("<")[0]
    token = csrf_token(client, "/admin/account")
    code = pyotp.TOTP(secret).now()
    client.post("/admin/account/totp", data={"code": code, "csrf_token": token})
    assert get_user(app, admin.id).totp_secret == secret
    client.post("/admin/account/totp/off", data={"code": code, "csrf_token": token})
    assert get_user(app, admin.id).totp_secret == secret  # the same code twice: refused
    later = pyotp.TOTP(secret).at(int(time.time()) + 30)
    client.post("/admin/account/totp/off", data={"code": later, "csrf_token": token})
    assert get_user(app, admin.id).totp_secret is None


def test_regency_admin_cannot_turn_totp_off(app, make_admin):
    admin = make_admin("diskominfo", "regency", "64.01")
    client = app.test_client()
    log_in(client, admin)
    token = csrf_token(client, "/admin/account")
    later = pyotp.TOTP(admin.totp_secret).at(int(time.time()) + 30)
    client.post("/admin/account/totp/off", data={"code": later, "csrf_token": token})
    assert get_user(app, admin.id).totp_secret == admin.totp_secret


def test_behind_a_trusted_proxy_the_lock_is_per_forwarded_address(app, make_admin):
    """nginx in front: every request comes from 127.0.0.1, the client's address is in
    X-Forwarded-For. One client's failures must not lock the others out."""
    make_admin("operator")
    proxied = create_app(replace(settings_of(app), trusted_proxies=1))
    try:
        _lock_one_forwarded_address(proxied)
    finally:
        with proxied.app_context():
            db.engine.dispose()


def _lock_one_forwarded_address(app):
    proxy = {"REMOTE_ADDR": "127.0.0.1"}

    def attempt(username, password, client_address):
        client = app.test_client()
        token = csrf_token(client)
        return client.post(
            "/admin/login",
            data={"username": username, "password": password, "csrf_token": token},
            environ_base=proxy,
            headers={"X-Forwarded-For": client_address},
        )

    for number in range(10):
        attempt(f"tebakan{number}", "salah-salah-salah", "10.7.7.7")
    assert attempt("operator", PASSWORD, "10.7.7.7").status_code == 429
    assert attempt("operator", PASSWORD, "10.7.7.8").status_code == 302


def test_without_a_trusted_proxy_x_forwarded_for_is_ignored(app, make_admin):
    """A client cannot dodge the per-address lock by inventing X-Forwarded-For."""
    make_admin("operator")
    for number in range(10):
        client = app.test_client()
        token = csrf_token(client)
        client.post(
            "/admin/login",
            data={"username": f"tebakan{number}", "password": "x", "csrf_token": token},
            environ_base={"REMOTE_ADDR": "10.7.7.7"},
            headers={"X-Forwarded-For": f"192.0.2.{number}"},
        )
    locked = _try_login(app.test_client(), "operator", PASSWORD, {"REMOTE_ADDR": "10.7.7.7"})
    assert locked.status_code == 429
