"""The activity log in words and in local time, not action ids in UTC."""

from __future__ import annotations

import html
import re
from pathlib import Path

from portal.admin.activity import ACTIONS
from portal.database import db
from portal.domain import audit
from portal.world import World
from tests.admin.conftest import NOW, VILLAGE_A, post
from tests.databases import TEST_SECRET_KEY

PORTAL = Path(__file__).resolve().parents[2] / "portal"


def cells(page: str) -> list[str]:
    return [html.unescape(c) for c in re.findall(r"<td[^>]*>([^<]*)</td>", page)]


def seed(app) -> int:
    """20 vouchers made, the operator siti deactivated and a titled announcement
    created, all at 03.00 UTC (11.00 WITA); returns siti's id."""
    with app.app_context():
        world = World(db.session, now=NOW, master_key=TEST_SECRET_KEY)
        world.vouchers(VILLAGE_A, 20)
        siti = world.admin("siti", "village", VILLAGE_A, password="kata-sandi-uji-123")
        village = world.village(VILLAGE_A)
        note = world.announcement(village, "<script>alert(1)</script> Posyandu")
        for action, kind, ident in [
            ("admin_user.deactivate", "admin_user", siti.id),
            ("announcement.create", "announcement", note.id),
        ]:
            audit.record(db.session, now=NOW, actor="kab", action=action, object_type=kind,
                         object_id=ident, scope_kode=VILLAGE_A)  # fmt: skip
        db.session.commit()
        return siti.id


def test_entries_are_sentences_at_the_village_time(app, make_admin, login):
    seed(app)
    client = app.test_client()
    login(client, make_admin("kab", "regency", "64.01"))
    page = client.get("/admin/log").get_data(as_text=True)
    found = cells(page)
    assert "Membuat 20 voucher" in found
    assert "Menonaktifkan pengguna siti" in found
    assert "Membuat pengumuman “<script>alert(1)</script> Posyandu”" in found
    assert "<script>alert(1)</script>" not in page  # the title is text, escaped
    assert "22-11-2026 11.00 WITA" in found
    assert "Samurangau" in found
    for raw in ("voucher_batch.create", "admin_user.deactivate", "admin_user ", "03:00", "UTC"):
        assert raw not in page, raw


def test_english_is_one_tap_away(app, make_admin, login):
    seed(app)
    client = app.test_client()
    login(client, make_admin("kab", "regency", "64.01"))
    post(client, "/admin/language", {"lang": "en"})
    found = cells(client.get("/admin/log").get_data(as_text=True))
    assert "Created 20 vouchers" in found
    assert "Deactivated user siti" in found
    assert "22-11-2026 11:00 WITA" in found


def test_a_village_operator_sees_the_entries_of_the_village_in_words(app, make_admin, login):
    seed(app)
    client = app.test_client()
    login(client, make_admin("operator"))
    found = cells(client.get("/admin/log").get_data(as_text=True))
    assert "Membuat 20 voucher" in found


def test_every_action_the_code_records_has_words():
    recorded = set()
    for path in PORTAL.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        recorded |= set(re.findall(r'\baudit\(\s*"([a-z_.]+)"', text))
        recorded |= set(re.findall(r'\baction="([a-z_.]+)"', text))
        recorded |= set(re.findall(r'\baudit\(\s*"[a-z_.]+" if .+ else "([a-z_.]+)"', text))
    recorded |= {"session.disconnect", "session.throttle", "login"}  # built from variables
    assert recorded - set(ACTIONS) == set()
    assert len(recorded) >= 25
