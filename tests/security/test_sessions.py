"""Sessions (AT-20) and credentials (AT-22), the parts the console tests do not show:
the session cookie changes at login, an old cookie is dead after logout or after the
account is disabled, 15 minutes idle or 8 hours in all end a session, and a login
attempt does not tell whether the user name exists."""

from __future__ import annotations

import re
from datetime import timedelta

from flask.testing import FlaskClient

from portal.config import utcnow
from portal.database import db
from portal.models import AdminUser
from tests.admin.conftest import PASSWORD, csrf_token, log_in
from tests.clock import set_clock
from tests.security.conftest import World

_TOKEN = re.compile(r'(csrf[_-]token"[^>]*?(?:content|value)=")[^"]+')


def _cookie(world: World, client: FlaskClient) -> str:
    cookie = client.get_cookie(world.app.config["SESSION_COOKIE_NAME"])
    return cookie.value if cookie else ""


def _fresh_login(world: World, username: str) -> FlaskClient:
    from tests.security.test_route_matrix import admin_matrix

    client = world.anonymous()
    log_in(client, admin_matrix.create_or_get(world.app, username))
    return client


def test_the_session_cookie_changes_at_login_and_dies_at_logout(world: World):
    client = world.anonymous()
    csrf_token(client)  # an anonymous session with a CSRF token in it
    before = _cookie(world, client)
    from tests.security.test_route_matrix import admin_matrix

    log_in(client, admin_matrix.create_or_get(world.app, "op-a"))
    after = _cookie(world, client)
    assert before and after and after != before
    token = csrf_token(client, "/admin/account")
    assert client.post("/admin/logout", data={"csrf_token": token}).status_code == 302
    replay = world.anonymous()
    replay.set_cookie(world.app.config["SESSION_COOKIE_NAME"], after)
    assert replay.get("/admin/").headers["Location"].endswith("/admin/login")
    assert replay.get("/reports/").headers["Location"].endswith("/admin/login")


def test_disabling_an_account_ends_its_sessions(world: World):
    client = _fresh_login(world, "op-b")
    assert client.get("/admin/").status_code == 200
    with world.app.app_context():
        user = db.session.query(AdminUser).filter_by(username="op-b").one()
        user.active = False
        db.session.commit()
    try:
        assert client.get("/admin/").status_code == 302
        assert client.get("/reports/").status_code == 302
    finally:
        with world.app.app_context():
            db.session.query(AdminUser).filter_by(username="op-b").one().active = True
            db.session.commit()


def test_sessions_end_after_15_minutes_idle_or_8_hours(world: World):
    client = _fresh_login(world, "op-a")
    start = utcnow()
    try:
        for minutes in range(14, 8 * 60, 14):  # active every 14 minutes: still in…
            set_clock(world.app, lambda m=minutes: start + timedelta(minutes=m))
            assert client.get("/reports/").status_code == 200, minutes
        set_clock(world.app, lambda: start + timedelta(hours=8, minutes=1))
        assert client.get("/admin/").status_code == 302  # …until 8 hours in all
        set_clock(world.app)
        client = _fresh_login(world, "op-a")
        set_clock(world.app, lambda: utcnow() + timedelta(minutes=16))
        assert client.get("/admin/").status_code == 302  # 16 minutes idle
    finally:
        set_clock(world.app)


def test_a_failed_login_does_not_tell_whether_the_user_exists(world: World):
    answers = []
    for username in ("op-a", "tidak-ada-orang"):
        client = world.anonymous()
        data = {"username": username, "password": PASSWORD + "-salah"}
        response = client.post("/admin/login", data={**data, "csrf_token": csrf_token(client)})
        body = _TOKEN.sub(r"\1…", response.get_data(as_text=True)).replace(username, "…")
        answers.append((response.status_code, body))
    assert answers[0] == answers[1]


def test_https_alone_turns_on_secure_cookies_the_host_prefix_and_hsts(tmp_path):
    from portal import create_app
    from portal.config import Settings

    for url, secure in (("http://127.0.0.1:8080", False), ("https://wifi.paserkab.go.id", True)):
        settings = Settings(data_dir=tmp_path, secret_key="k", public_url=url)
        app = create_app(settings)
        assert app.config["SESSION_COOKIE_SECURE"] is secure
        assert app.config["SESSION_COOKIE_NAME"] == ("__Host-session" if secure else "session")
        response = app.test_client().get("/static/base.css")
        response.close()
        assert ("Strict-Transport-Security" in response.headers) is secure
        assert response.headers["Referrer-Policy"] == "same-origin"
