"""Admin accounts: regency admins manage village operators of their own regency only."""

from __future__ import annotations

import re

import sqlalchemy as sa

from portal.database import db
from portal.models import AdminUser, AuditEntry
from tests.admin.conftest import Admin, get_user, log_in, post

TEMP = re.compile(r'data-testid="temporary-password">([^<]+)<')


def test_regency_admin_creates_a_village_operator_who_can_log_in(app, make_admin):
    client = app.test_client()
    log_in(client, make_admin("kab", "regency", "64.01"))
    page = post(
        client, "/admin/users", {"username": "op-busui", "role": "village", "scope": "6401012010"}
    ).get_data(as_text=True)
    password = TEMP.search(page).group(1)
    operator = app.test_client()
    log_in(operator, Admin(0, "op-busui", password, None))
    assert "Busui" in operator.get("/admin/").get_data(as_text=True)
    with app.app_context():
        entry = db.session.scalars(
            sa.select(AuditEntry)
            .where(AuditEntry.action == "admin.create")
            .order_by(AuditEntry.id.desc())
        ).first()
        assert (entry.actor_label, entry.detail) == ("kab", "op-busui as village")


def test_the_console_applies_the_same_rules_as_the_command_line(app, make_admin):
    client = app.test_client()
    log_in(client, make_admin("kab", "regency", "64.01"))
    for username, scope, message in [
        ("Op Busui!", "64.01.01.2010", "Nama pengguna harus 3–64"),
        ("kab", "64.01.01.2010", "Nama pengguna sudah dipakai"),
        ("op-nowhere", "64.01.01.2099", "tidak ada dalam daftar resmi"),  # not in the list
        ("op-region", "64.01", "perlu kode wilayah seperti"),
    ]:
        page = post(client, "/admin/users", {"username": username, "role": "village",
                                              "scope": scope}).get_data(as_text=True)  # fmt: skip
        assert message in page, username
        assert not TEMP.search(page)
    with app.app_context():
        names = set(db.session.scalars(sa.select(AdminUser.username)))
    assert names == {"kab"}


def test_accounts_outside_the_region_or_role_cannot_be_made_or_touched(app, make_admin):
    kab = make_admin("kab", "regency", "64.01")
    peer = make_admin("kab2", "regency", "64.01")
    other = make_admin("op-perian", "village", "64.02.01.2001")
    client = app.test_client()
    log_in(client, kab)
    refused = post(client, "/admin/users", {"username": "x123", "role": "village",
                                             "scope": "64.02.01.2001"})  # fmt: skip
    assert "di luar wilayah Anda" in refused.get_data(as_text=True)
    for target in (peer, other, kab):
        assert post(client, f"/admin/users/{target.id}/password").status_code == 404
    village = app.test_client()
    log_in(village, make_admin("operator"))
    assert village.get("/admin/users").status_code == 403


def test_disabling_an_operator_ends_their_session_and_totp_reset_forgets_the_device(
    app, make_admin
):
    operator = make_admin("operator", totp=True)
    kab = app.test_client()
    log_in(kab, make_admin("kab", "regency", "64.01"))
    session = app.test_client()
    log_in(session, operator)
    assert post(kab, f"/admin/users/{operator.id}/active").status_code == 302
    assert session.get("/admin/").status_code == 302
    assert not get_user(app, operator.id).active
    post(kab, f"/admin/users/{operator.id}/totp")
    assert get_user(app, operator.id).totp_secret is None
    page = post(kab, f"/admin/users/{operator.id}/password").get_data(as_text=True)
    assert TEMP.search(page)
