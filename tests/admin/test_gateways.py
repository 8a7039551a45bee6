"""Gateways: the .rsc script (golden, escaping), secrets shown once, rotation, heartbeat."""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from portal.config import utcnow
from portal.database import db
from portal.domain.network.liveness import uptime_bucket
from portal.models import Gateway, GatewayUptime
from portal.web import router_script
from tests.admin.conftest import VILLAGE_A, log_in, post
from tests.clock import set_clock

GOLDEN = Path(__file__).parent / "golden" / "gateway.rsc"
TRICKY = router_script.ScriptValues(
    nas_identifier="desa-samurangau-1",
    village_name='Samurangau "Hulu" $HOME \\ ?\n/system reset-configuration',
    village_kode=VILLAGE_A,
    hotspot_host="wifi.samurangau.desa.id",
    coa_port=3799,
    heartbeat_token="tok$en?x",
    public_url="https://portal.example.id",
    portal_host="portal.example.id",
    radius_host="radius.example.id",
    interim_minutes=5,
    secret='Sx$"\\?9aB',
)


def test_rsc_script_matches_the_golden_file():
    text = router_script.render_script(TRICKY)
    if os.environ.get("WIFIDESA_UPDATE_GOLDEN"):
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8")


def test_rsc_script_has_what_the_router_needs():
    text = router_script.render_script(TRICKY)
    assert "timeout=3s" in text and "require-message-auth=yes-for-request-resp" in text
    assert "check-certificate=no" not in text
    assert "/radius incoming set accept=yes port=3799" in text
    assert "login-by=http-chap,http-pap use-radius=yes" in text
    assert "radius-interim-update=5m" in text
    assert '/ip hotspot walled-garden add dst-host="portal.example.id"' in text
    assert "/mt/desa-samurangau-1/login.html" in text
    assert "interval=10m" in text and "/mt/desa-samurangau-1/heartbeat" in text
    # A portal-hosted splash: no router pages, no emergency switch.
    assert "/hotspot/" not in text and "netwatch add" not in text
    assert "device-mode update hotspot=yes" in text
    # The injected newline stayed inside its string: no line starts a reset.
    assert not any(line.startswith("/system reset") for line in text.splitlines())


def _unescape(text: str) -> str:
    simple = {'"': '"', "\\": "\\", "$": "$", "?": "?", "n": "\n", "r": "\r", "t": "\t"}
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\":
            nxt = text[i + 1]
            if nxt in simple:
                out.append(simple[nxt])
                i += 2
            else:
                out.append(chr(int(text[i + 1 : i + 3], 16)))
                i += 3
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


@given(st.text())
def test_rsc_escape_round_trips_and_never_leaks_a_special_character(value):
    escaped = router_script.rsc_escape(value)
    assert _unescape(escaped) == value
    unescaped_specials = re.sub(r"\\.", "", escaped)
    assert not set(unescaped_specials) & set('"$?\\\n\r')


def test_regency_admin_adds_a_gateway_and_sees_the_secret_once(app, make_admin):
    client = app.test_client()
    log_in(client, make_admin("kab", "regency", "64.01"))
    response = post(
        client, "/admin/gateways/new",
        {"village": VILLAGE_A, "nas_identifier": "desa-a-1", "source_address": "10.8.0.2",
         "hotspot_host": "10.5.50.1", "coa_port": "3799",
         "require_message_authenticator": "y"},
    )  # fmt: skip
    page = response.get_data(as_text=True)
    secret = re.search(r'data-testid="gateway-secret">([^<]+)<', page).group(1)
    assert len(secret) >= 24
    with app.app_context():
        gateway = db.session.scalars(sa.select(Gateway)).one()
        assert gateway.secret == secret and gateway.require_message_authenticator
        gateway_id = gateway.id
    assert secret not in client.get(f"/admin/gateways/{gateway_id}").get_data(as_text=True)
    script = client.get(f"/admin/gateways/{gateway_id}/wifidesa.rsc")
    assert script.headers["Content-Disposition"].startswith("attachment")
    assert f'secret="{secret}"' in script.get_data(as_text=True)
    meanwhile = utcnow() + timedelta(minutes=10)
    set_clock(app, lambda: meanwhile)  # the admin stays active (15 min idle)
    assert client.get("/admin/").status_code == 200
    later = utcnow() + timedelta(minutes=16)
    set_clock(app, lambda: later)
    script = client.get(f"/admin/gateways/{gateway_id}/wifidesa.rsc").get_data(as_text=True)
    assert secret not in script and router_script.SECRET_PLACEHOLDER in script
    rotated = post(client, f"/admin/gateways/{gateway_id}/rotate").get_data(as_text=True)
    new_secret = re.search(r'data-testid="gateway-secret">([^<]+)<', rotated).group(1)
    assert new_secret != secret
    script = client.get(f"/admin/gateways/{gateway_id}/wifidesa.rsc").get_data(as_text=True)
    assert f'secret="{new_secret}"' in script


def test_bad_gateway_fields_are_shown_back(app, make_admin):
    client = app.test_client()
    log_in(client, make_admin("kab", "regency", "64.01"))
    response = post(
        client, "/admin/gateways/new",
        {"village": VILLAGE_A, "nas_identifier": "desa a;rm", "source_address": "10.8.0.2",
         "hotspot_host": "10.5.50.1", "coa_port": "3799"},
    )  # fmt: skip
    assert "hanya boleh huruf, angka" in response.get_data(as_text=True)
    for source in ("0.0.0.0/0", "10.8.0.1/24"):
        response = post(
            client, "/admin/gateways/new",
            {"village": VILLAGE_A, "nas_identifier": "desa-a-9", "source_address": source,
             "hotspot_host": "10.5.50.1", "coa_port": "3799"},
        )  # fmt: skip
        assert "bukan alamat IP" in response.get_data(as_text=True) or (
            "menerima pengirim mana pun" in response.get_data(as_text=True)
        )
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Gateway)) == 0


def test_village_admin_sees_the_gateway_but_cannot_manage_it(app, make_admin):
    from tests.admin.world import seed_world

    a, _b = seed_world(app)
    client = app.test_client()
    log_in(client, make_admin("operator"))
    assert client.get(f"/admin/gateways/{a.gateway_id}").status_code == 200
    assert client.get(f"/admin/gateways/{a.gateway_id}/wifidesa.rsc").status_code == 403
    assert post(client, f"/admin/gateways/{a.gateway_id}/rotate").status_code == 403
    assert client.get("/admin/gateways/new").status_code == 403


def test_heartbeat_marks_the_gateway_seen(app):
    from tests.admin.world import seed_world

    a, _b = seed_world(app)
    client = app.test_client()
    with app.app_context():
        gateway = db.session.get(Gateway, a.gateway_id)
        nas, token = gateway.nas_identifier, gateway.heartbeat_token
        db.session.execute(sa.delete(GatewayUptime))  # the seed's accounting marked some
        db.session.commit()
    assert client.post(f"/mt/{nas}/heartbeat", data={"token": "wrong"}).status_code == 404
    assert client.post("/mt/nope/heartbeat", data={"token": token}).status_code == 404
    assert client.post(f"/mt/{nas}/heartbeat").status_code == 404
    assert client.get(f"/mt/{nas}/heartbeat?token={token}").status_code == 405
    for _ in range(2):
        answer = client.post(f"/mt/{nas}/heartbeat", data={"token": token})
        assert answer.status_code == 200 and answer.mimetype == "text/plain"
        assert re.fullmatch(r"ok|fetch [0-9a-f]{12}", answer.get_data(as_text=True))
    with app.app_context():
        gateway = db.session.get(Gateway, a.gateway_id)
        assert gateway.last_seen_at is not None
        buckets = db.session.scalars(sa.select(GatewayUptime.bucket_start)).all()
        assert buckets == [uptime_bucket(gateway.last_seen_at)]


def test_the_console_shows_and_edits_where_the_residents_page_lives(app, make_admin):
    """Diskominfo chooses per gateway: router (default for new) or portal; the console
    shows the version of the router pages the router holds against the current one."""
    from tests.admin.world import seed_world

    a, _b = seed_world(app)
    client = app.test_client()
    log_in(client, make_admin("kab", "regency", "64.01"))
    with app.app_context():
        gateway = db.session.get(Gateway, a.gateway_id)
        nas, token = gateway.nas_identifier, gateway.heartbeat_token
        fields = {
            "village": gateway.village_kode, "nas_identifier": nas,
            "source_address": gateway.source_address, "hotspot_host": "wifi.samurangau.lan",
            "coa_port": "3799", "require_message_authenticator": "y",
        }  # fmt: skip
    assert gateway.splash_location == "router"
    detail = client.get(f"/admin/gateways/{a.gateway_id}").get_data(as_text=True)
    current = re.search(r'data-pages-current="([0-9a-f]{12})"', detail).group(1)
    assert 'data-pages-held=""' in detail and "belum pernah" in detail
    answer = client.post(f"/mt/{nas}/heartbeat", data={"token": token, "pages": ""})
    assert answer.get_data(as_text=True) == f"fetch {current}"
    client.get(f"/mt/{nas}/hotspot/login.html", query_string={"token": token})
    client.post(f"/mt/{nas}/heartbeat", data={"token": token, "pages": current})
    detail = client.get(f"/admin/gateways/{a.gateway_id}").get_data(as_text=True)
    assert f'data-pages-held="{current}"' in detail and "terkini" in detail
    listing = client.get("/admin/gateways").get_data(as_text=True)
    assert 'data-splash="router"' in listing and "terkini" in listing
    edited = post(
        client, f"/admin/gateways/{a.gateway_id}/edit", fields | {"splash_location": "portal"}
    )
    assert edited.status_code == 302
    with app.app_context():
        assert db.session.get(Gateway, a.gateway_id).splash_location == "portal"
    detail = client.get(f"/admin/gateways/{a.gateway_id}").get_data(as_text=True)
    assert 'data-splash="portal"' in detail and "data-pages-held" not in detail
    script = client.get(f"/admin/gateways/{a.gateway_id}/wifidesa.rsc").get_data(as_text=True)
    assert f"/mt/{nas}/login.html" in script and "netwatch add" not in script
    refused = post(
        client, f"/admin/gateways/{a.gateway_id}/edit", fields | {"splash_location": "cloud"}
    )
    assert refused.status_code == 200  # shown back with the field's error
    with app.app_context():
        assert db.session.get(Gateway, a.gateway_id).splash_location == "portal"
