"""API tokens in the console: created for an area and shown once, listed with when each
was last used, revoked; other regions' tokens and areas are out of reach."""

from __future__ import annotations

import re

import sqlalchemy as sa

from portal.database import db
from portal.domain.accounts import tokens
from portal.models import ApiToken, AuditEntry
from tests.admin.conftest import NOW, OTHER_REGENCY_VILLAGE, VILLAGE_A, log_in, post
from tests.clock import set_clock


def _regency(app, make_admin):
    client = app.test_client()
    log_in(client, make_admin("kab", "regency", "64.01"))
    return client


def _create(client, area="64.01", label="Dasbor Satu Data"):
    response = post(client, "/admin/tokens", {"area": area, "label": label})
    match = re.search(r'data-testid="token-value">([^<]+)<', response.get_data(as_text=True))
    return response, match.group(1) if match else None


def _api(client, token, scope="64.01"):
    query = {"scope": scope, "from": "2026-11-20", "to": "2026-11-21"}
    headers = {"Authorization": f"Bearer {token}"}
    return client.get("/api/v1/usage", headers=headers, query_string=query)


def test_create_shows_the_token_once_and_it_works(app, make_admin):
    client = _regency(app, make_admin)
    response, token = _create(client)
    assert response.status_code == 200 and token.startswith(tokens.TOKEN_PREFIX)
    with app.app_context():
        row = db.session.scalars(sa.select(ApiToken)).one()
        assert row.token_hash == tokens.token_hash(token) and row.scope_kode == "64.01"
        assert token not in {row.token_hash, row.label}
        entry = db.session.scalars(sa.select(AuditEntry).where(
            AuditEntry.action == "token.create")).one()  # fmt: skip
        assert token not in entry.detail
    listing = client.get("/admin/tokens").get_data(as_text=True)
    assert token not in listing and "Dasbor Satu Data" in listing
    assert "belum pernah" in listing
    assert _api(client, token).status_code == 200
    assert _api(client, token, scope="64.02").status_code == 403


def test_last_use_is_shown_in_local_time(app, make_admin):
    client = _regency(app, make_admin)
    _response, token = _create(client)
    set_clock(app, lambda: NOW)  # 11.00 WITA
    assert _api(client, token).status_code == 200
    set_clock(app)
    listing = client.get("/admin/tokens").get_data(as_text=True)
    cell = re.search(r'data-testid="last-used">([^<]+)<', listing).group(1)
    assert cell == "22-11-2026 11.00 WITA"


def test_revoke_stops_the_token(app, make_admin):
    client = _regency(app, make_admin)
    _response, token = _create(client)
    with app.app_context():
        token_id = db.session.scalars(sa.select(ApiToken.id)).one()
    response = post(client, f"/admin/tokens/{token_id}/revoke")
    assert response.status_code == 302
    assert _api(client, token).status_code == 401
    listing = client.get("/admin/tokens").get_data(as_text=True)
    assert f'data-token-id="{token_id}" data-revoked="yes"' in listing
    assert post(client, f"/admin/tokens/{token_id}/revoke").status_code == 302  # twice: no-op


def test_token_for_a_village_of_the_region(app, make_admin):
    client = _regency(app, make_admin)
    _response, token = _create(client, area=VILLAGE_A)
    assert _api(client, token, scope=VILLAGE_A).status_code == 200
    assert _api(client, token, scope="64.01").status_code == 403


def test_another_regions_area_and_tokens_are_out_of_reach(app, make_admin):
    with app.app_context():
        other = tokens.create_token(db.session, scope="64.02", now=NOW, label="Kukar")
        db.session.commit()
        other_id, other_token = other.record.id, other.token
    client = _regency(app, make_admin)
    for area in ("64.02", OTHER_REGENCY_VILLAGE, "64", "15.01"):
        response, token = _create(client, area=area)
        assert response.status_code == 404 and token is None, area
    assert "Kukar" not in client.get("/admin/tokens").get_data(as_text=True)
    assert post(client, f"/admin/tokens/{other_id}/revoke").status_code == 404
    assert post(client, "/admin/tokens/999999/revoke").status_code == 404
    assert _api(client, other_token, scope="64.02").status_code == 200  # still live


def test_bad_labels_are_refused_in_indonesian(app, make_admin):
    client = _regency(app, make_admin)
    for label, message in (("", "Isi keterangan"), ("x" * 81, "paling banyak 80 karakter")):
        response, token = _create(client, label=label)
        assert response.status_code == 422 and message in response.text and token is None
    payload = "<img src=x onerror=alert(1)>"
    response, _token = _create(client, label=payload)
    assert payload not in response.text and "&lt;img" in response.text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 1


def test_village_admin_has_no_tokens_page(app, make_admin):
    client = app.test_client()
    log_in(client, make_admin("operator"))
    assert client.get("/admin/tokens").status_code == 403
    assert post(client, "/admin/tokens", {"area": VILLAGE_A, "label": "x"}).status_code == 403
    assert 'href="/admin/tokens"' not in client.get("/admin/log").get_data(as_text=True)


def test_create_and_revoke_without_csrf_are_refused(app, make_admin):
    client = _regency(app, make_admin)
    response = client.post("/admin/tokens", data={"area": "64.01", "label": "x"})
    assert response.status_code == 400
    _response, _token = _create(client)
    with app.app_context():
        token_id = db.session.scalars(sa.select(ApiToken.id)).one()
    assert client.post(f"/admin/tokens/{token_id}/revoke").status_code == 400
    with app.app_context():
        assert db.session.get(ApiToken, token_id).revoked_at is None
