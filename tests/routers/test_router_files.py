"""The files a gateway keeps in its hotspot directory (`GET /mt/<nas-id>/hotspot/<file>`):
golden copies, what RouterOS may substitute into them, their size, and how they are
served and recorded.

Routers keep these files until their scheduler fetches new ones, so a change must be
deliberate: after an intended change run with ``WIFIDESA_UPDATE_GOLDEN=1`` and review
the diff of tests/routers/golden/.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from portal.database import db
from portal.domain.access.router_pages import FILES
from portal.messages import REPLIES, reply_message
from portal.models import Gateway, Village
from portal.simulator.routeros.substitution import render
from portal.world import World as Factory
from tests.routers.conftest import NOW
from tests.splash.conftest import NAS_ID, World, router_fields

GOLDEN = Path(__file__).parent / "golden"
#: Every variable the router's pages may use raw: values the router makes itself (its
#: counters, its yes/no flags, the CHAP octal escapes, its own links, our RADIUS server's
#: Reply-Message as $(error) and errors.txt's own $(error-orig)).
ROUTER_MADE = {
    "trial", "error", "error-orig", "chap-id", "chap-challenge", "login-by", "logged-in",
    "link-login-only", "session-time-left", "session-time-left-secs", "remain-bytes-total",
    "bytes-in-nice", "bytes-out-nice", "uptime", "refresh-timeout-secs",
}  # fmt: skip
#: Variables a phone or a web page can influence: only their -esc form may appear.
PHONE_MADE = {
    "mac", "ip", "username", "user", "link-orig", "link-login", "link-redirect", "var",
    "session-id", "domain", "host", "user-agent", "http-header", "identity", "hostname",
}  # fmt: skip
VARIABLE = re.compile(r"\$\((?:(?:if|elif) )?([a-z0-9-]+)")


def fetch(client: FlaskClient, name: str, **query: str) -> str:
    answer = client.get(f"/mt/{NAS_ID}/hotspot/{name}", query_string=query)
    assert answer.status_code == 200, name
    return answer.get_data(as_text=True)


@pytest.mark.parametrize("name", FILES)
def test_every_router_file_matches_its_golden_copy(portal_client, world: World, name: str):
    text = fetch(portal_client, name)
    golden = GOLDEN / name
    if os.environ.get("WIFIDESA_UPDATE_GOLDEN"):
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


def test_the_pages_use_router_variables_only_in_safe_forms(portal_client, world: World):
    for name in FILES:
        used = set(VARIABLE.findall(fetch(portal_client, name)))
        raw = used - {v for v in used if v.endswith("-esc")} - {"else", "endif"}
        assert raw <= ROUTER_MADE, f"{name} uses {raw - ROUTER_MADE} raw"
        assert not raw & PHONE_MADE
    login = fetch(portal_client, "login.html")
    assert "$(mac-esc)" in login and "$(mac)" not in login
    assert "hexMD5('$(chap-id)'" not in login  # the CHAP values go through C[0], C[1]
    assert "['$(chap-id)','$(chap-challenge)']" in login
    assert '<script src="/md5.js"></script>' in login


def test_text_admins_write_never_becomes_a_router_variable(
    portal_app: Flask, portal_client, world: World
):
    """RouterOS substitutes $(…) anywhere in the file, unescaped: a bulletin saying
    "$(link-orig)" would put what a phone sent into the page. Content is written with
    &#36; for "$", so the variables in a file are the template's own."""
    before = {name: set(VARIABLE.findall(fetch(portal_client, name))) for name in FILES}
    with portal_app.app_context():
        factory = Factory(db.session, now=NOW, master_key="")
        village = db.session.get(Village, world.village_kode)
        factory.announcement(
            village, "Harga $(link-orig) $(if error)", "Bayar $(username) $(endif) $(mac)",
            emergency=True,
        )  # fmt: skip
        village.name = "Samurangau $(identity)"
        db.session.commit()
    for name in FILES:
        text = fetch(portal_client, name)
        assert set(VARIABLE.findall(text)) == before[name], name
    login = fetch(portal_client, "login.html")
    assert "Harga &#36;(link-orig)" in login
    hostile = '"><script>alert(1)</script>'
    page = render(login, {"link-orig": hostile, "username": hostile, "mac": hostile})
    assert "<script>alert" not in page


def test_each_page_stays_under_30_kb_with_five_long_announcements(
    portal_app: Flask, portal_client, world: World
):
    long_body = " ".join(["Warga diminta hadir tepat waktu di balai desa."] * 60)
    with portal_app.app_context():
        factory = Factory(db.session, now=NOW, master_key="")
        village = db.session.get(Village, world.village_kode)
        for n in range(5):
            factory.announcement(village, f"Banjir RT {n} — segera mengungsi", long_body,
                                 emergency=True)  # fmt: skip
        factory.terms("64.01", full_text="Ketentuan panjang. " * 900)  # 16 KB: linked
        db.session.commit()
    for name in FILES:
        assert len(fetch(portal_client, name).encode()) < 30_000, name
    login = fetch(portal_client, "login.html")
    assert login.count('class="news urgent"') == 5
    assert "http://portal.test/desa/samurangau/syarat" in login


def test_api_json_is_rfc_8908_json_after_the_routers_substitution(portal_client, world):
    template = fetch(portal_client, "api.json")
    captive = json.loads(
        render(template, {"logged-in": "no", "link-login-only": "http://10.5.50.1/login"})
    )
    assert captive == {
        "captive": True,
        "user-portal-url": "http://10.5.50.1/login",
        "venue-info-url": "http://portal.test/desa/samurangau",
        "can-extend-session": True,
    }
    online = json.loads(
        render(
            template,
            {
                "logged-in": "yes",
                "session-time-left-secs": "3540",
                "remain-bytes-total": "734003200",
            },
        )
    )
    assert online["captive"] is False
    assert online["seconds-remaining"] == 3540 and online["bytes-remaining"] == 734003200


def test_errors_txt_has_every_key_in_indonesian_and_no_variable_a_phone_sets(portal_client, world):
    text = fetch(portal_client, "errors.txt")
    entries = dict(
        line.split(" = ", 1) for line in text.splitlines() if line and not line.startswith("#")
    )
    stock = {
        "internal-error", "config-error", "not-logged-in", "ippool-empty", "shutting-down",
        "user-session-limit", "license-session-limit", "wrong-mac-username", "chap-missing",
        "invalid-username", "invalid-mac", "uptime-limit", "traffic-limit", "radius-timeout",
        "auth-in-progress", "radius-reply",
    }  # fmt: skip
    assert set(entries) == stock
    assert entries["radius-reply"] == "$(error-orig)"
    assert all("$(" not in value for key, value in entries.items() if key != "radius-reply")
    assert "terganggu" in entries["radius-timeout"]


def test_every_reply_message_is_plain_text_safe_in_a_page():
    """$(error) is written raw into the page's text: the Reply-Messages our RADIUS
    server sends (always in Indonesian, portal.messages) carry no markup."""
    for reason in REPLIES:
        text = reply_message(reason, timezone="WITA", resets_at=NOW)
        assert not set(text) & set("<>\"'`$"), reason
        assert not re.search(r"&[#A-Za-z0-9]", text), reason


def test_unknown_gateway_file_or_token_is_404_and_the_token_records_the_fetch(
    portal_app: Flask, portal_client, world: World
):
    with portal_app.app_context():
        token = db.session.get(Gateway, world.gateway_id).heartbeat_token
        other = Factory(db.session, now=NOW, master_key="").gateway(world.village_kode, "lain")
        db.session.commit()
        other_id, other_token = other.id, other.heartbeat_token
    assert portal_client.get("/mt/tidak-ada/hotspot/login.html").status_code == 404
    for name in ("md5.js", "rlogin.html", "..%2Fsecret", "login.htm"):
        assert portal_client.get(f"/mt/{NAS_ID}/hotspot/{name}").status_code == 404
    for bad in ("salah", other_token, "x" * 200, ""):
        answer = portal_client.get(f"/mt/{NAS_ID}/hotspot/login.html", query_string={"token": bad})
        assert answer.status_code == 404
    plain = portal_client.get(f"/mt/{NAS_ID}/hotspot/login.html")
    assert plain.headers["Cache-Control"] == "no-store"
    assert plain.mimetype == "text/plain"
    with portal_app.app_context():
        assert db.session.get(Gateway, world.gateway_id).pages_fetched_at is None
    answer = portal_client.get(f"/mt/{NAS_ID}/hotspot/login.html", query_string={"token": token})
    with portal_app.app_context():
        gateway = db.session.get(Gateway, world.gateway_id)
        assert gateway.pages_fetched == answer.headers["X-Pages-Version"]
        assert gateway.pages_fetched_at == NOW
        assert db.session.get(Gateway, other_id).pages_fetched_at is None


def test_hotspot_entry_keeps_working_whatever_the_gateway_serves(
    portal_app: Flask, portal_client, world: World
):
    """A router still carrying the old forwarding page must not lock residents out."""
    for location in ("router", "portal"):
        with portal_app.app_context():
            db.session.execute(sa.update(Gateway).values(splash_location=location))
            db.session.commit()
        entry = portal_client.post("/hotspot", data=router_fields())
        assert entry.status_code == 303, location
        page = portal_client.get(entry.headers["Location"])
        assert "Setuju & Sambungkan</button>" in page.get_data(as_text=True)
