"""Bahasa Indonesia first, English available: every marked text has an English entry."""

from __future__ import annotations

import re
from pathlib import Path

from portal.admin.forms import CATEGORY_LABELS
from portal.admin.translations_en import EN
from tests.admin.conftest import csrf_token, log_in

ROOT = Path(__file__).resolve().parents[2]
MARKED = re.compile(r"""_\(\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')""")
LABEL = re.compile(r'Field\(\s*"([^"]+)"')


def marked_texts() -> set[str]:
    texts: set[str] = set()
    files = [*(ROOT / "templates" / "admin").glob("*.html"), *(ROOT / "portal/admin").glob("*.py")]
    for path in files:
        source = path.read_text(encoding="utf-8")
        texts |= {a or b for a, b in MARKED.findall(source)}
        texts |= set(LABEL.findall(source))
    return texts | set(CATEGORY_LABELS.values())


def test_every_marked_text_has_an_english_entry():
    missing = sorted(marked_texts() - set(EN))
    assert missing == []


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
