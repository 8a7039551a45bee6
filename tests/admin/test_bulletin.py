"""Bulletin: sanitising, scheduling in local time, regency-wide posting, pictures,
OpenSID import, terms versions."""

from __future__ import annotations

import io
import socket
import ssl
from datetime import datetime
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
import sqlalchemy as sa
import trustme
from PIL import Image

from portal.adapters import feeds
from portal.database import db
from portal.domain.content import announcements, opensid
from portal.models import Announcement, AuditEntry, TermsVersion
from portal.web import pictures
from tests.admin.conftest import VILLAGE_A, VILLAGE_B, log_in, post
from tests.live import serving

FEED = (Path(__file__).parent / "fixtures" / "opensid_feed.xml").read_bytes()


def test_markdown_is_rendered_and_sanitised_to_the_allow_list():
    html = announcements.render_markdown(
        "**Gotong royong** Minggu\n\n<script>alert(1)</script>\n\n"
        '[daftar](https://desa.id) [x](javascript:alert(1)) <img src=x onerror="alert(1)">'
    )
    assert "<strong>Gotong royong</strong>" in html
    assert 'href="https://desa.id"' in html
    assert 'rel="noopener noreferrer"' in html
    for forbidden in ("<script", 'href="javascript', "onerror=", "<img"):
        assert forbidden not in html


def test_local_times_are_stored_in_utc_per_village_zone():
    moment = datetime(2026, 12, 1, 8, 0)
    assert announcements.local_to_utc(moment, "WITA") == datetime(2026, 12, 1, 0, 0)
    assert announcements.local_to_utc(moment, "WIT") == datetime(2026, 11, 30, 23, 0)
    assert announcements.utc_to_local(datetime(2026, 12, 1, 0, 0), "WITA") == moment


def test_village_admin_writes_previews_and_publishes(app, make_admin):
    client = app.test_client()
    log_in(client, make_admin("operator"))
    form = {
        "village": VILLAGE_A, "title": "Kerja bakti", "category": "agenda",
        "body": "Bawa **cangkul**", "starts_at": "2026-12-01T07:00",
        "ends_at": "2026-12-01T12:00",
    }  # fmt: skip
    preview = post(client, "/admin/bulletin/new", {**form, "action": "preview"})
    assert "<strong>cangkul</strong>" in preview.get_data(as_text=True)
    assert 'data-testid="phone-preview"' in preview.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Announcement)) == 0
    saved = post(client, "/admin/bulletin/new", {**form, "action": "save"})
    assert saved.status_code == 302
    with app.app_context():
        note = db.session.scalars(sa.select(Announcement)).one()
        assert not note.published  # box unticked: a draft
        assert note.starts_at == datetime(2026, 11, 30, 23, 0)  # 07.00 WITA
        note_id = note.id
    assert post(client, f"/admin/bulletin/{note_id}/publish").status_code == 302
    with app.app_context():
        assert db.session.get(Announcement, note_id).published
        actions = db.session.scalars(sa.select(AuditEntry.action)).all()
    assert "announcement.create" in actions and "announcement.publish" in actions


def test_end_before_start_is_shown_back(app, make_admin):
    client = app.test_client()
    log_in(client, make_admin("operator"))
    response = post(
        client, "/admin/bulletin/new",
        {"village": VILLAGE_A, "title": "x", "category": "agenda", "action": "save",
         "starts_at": "2026-12-01T12:00", "ends_at": "2026-12-01T07:00"},
    )  # fmt: skip
    assert "Waktu berakhir harus setelah waktu mulai" in response.get_data(as_text=True)


def test_regency_admin_posts_to_all_villages_at_once(app, make_admin):
    client = app.test_client()
    log_in(client, make_admin("kab", "regency", "64.01"))
    response = post(
        client, "/admin/bulletin/new",
        {"village": "*", "title": "Pemadaman listrik", "category": "darurat",
         "published": "y", "action": "save"},
    )  # fmt: skip
    assert response.status_code == 302
    with app.app_context():
        notes = db.session.scalars(sa.select(Announcement)).all()
    assert sorted(n.village_kode for n in notes) == [VILLAGE_A, VILLAGE_B]  # not 64.02
    assert all(n.emergency for n in notes)


def _jpeg_with_exif(width: int, height: int) -> bytes:
    image = Image.new("RGB", (width, height), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "KameraRahasia"  # Make
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def test_pictures_are_reencoded_scaled_and_stripped(tmp_path):
    name = pictures.store_picture(_jpeg_with_exif(3000, 2000), tmp_path)
    stored = pictures.picture_path(tmp_path, name)
    with Image.open(stored) as image:
        assert max(image.size) == pictures.MAX_EDGE
        assert not image.getexif()
    assert b"KameraRahasia" not in stored.read_bytes()
    with pytest.raises(pictures.InvalidPicture):
        pictures.store_picture(b"<svg onload=alert(1)>", tmp_path)
    with pytest.raises(pictures.InvalidPicture):
        pictures.store_picture(b"\xff" * (pictures.MAX_UPLOAD_BYTES + 1), tmp_path)
    assert pictures.picture_path(tmp_path, "../../etc/passwd") is None


def test_picture_upload_through_the_form(app, make_admin):
    client = app.test_client()
    log_in(client, make_admin("operator"))
    response = post(
        client, "/admin/bulletin/new",
        {"village": VILLAGE_A, "title": "Foto", "category": "wisata", "action": "save",
         "published": "y", "picture": (io.BytesIO(_jpeg_with_exif(1600, 900)), "a.jpg")},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert response.status_code == 302
    with app.app_context():
        note_id = db.session.scalars(sa.select(Announcement.id)).one()
    with client.get(f"/admin/bulletin/{note_id}/picture") as picture:
        assert picture.status_code == 200 and picture.mimetype == "image/jpeg"
        assert len(picture.data) < 100_000


def test_opensid_feed_is_parsed_and_sanitised():
    items = opensid.parse_feed(FEED)
    assert [i.category for i in items] == ["kesehatan", "apbdes", "umkm"]
    clean = announcements.sanitize_html(items[0].html)
    assert "<strong>" in clean and "<script" not in clean and "onerror" not in clean
    with pytest.raises(opensid.FeedError):
        opensid.parse_feed(b'<!DOCTYPE x [<!ENTITY a "aaaa">]><rss>&a;</rss>')
    with pytest.raises(opensid.FeedError):
        feeds.feed_url("file:///etc/passwd")


def test_opensid_fetch_refuses_private_addresses():
    with pytest.raises(opensid.FeedError, match="not a public address"):
        feeds.fetch_feed("http://127.0.0.1:9/")


class _FeedHandler(BaseHTTPRequestHandler):
    body = FEED

    def do_GET(self) -> None:
        if self.path != "/index.php/feed":
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def feed_server():
    server = HTTPServer(("127.0.0.1", 0), _FeedHandler)
    with serving(server):
        yield f"http://127.0.0.1:{server.server_port}"


def test_opensid_fetch_has_a_size_limit(feed_server):
    with pytest.raises(opensid.FeedError, match="too large"):
        feeds.fetch_feed(feed_server, allow_private=True, max_bytes=100)


def test_opensid_import_makes_drafts_once(app, make_admin, feed_server):
    app.config["WIFIDESA_FETCH_ALLOW_PRIVATE"] = True
    client = app.test_client()
    log_in(client, make_admin("operator"))
    for _round in range(2):
        response = post(
            client, "/admin/bulletin/import", {"village": VILLAGE_A, "site": feed_server}
        )
        assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        notes = db.session.scalars(sa.select(Announcement).order_by(Announcement.id)).all()
        assert len(notes) == 3
        assert not any(n.published for n in notes)
        assert all("<script" not in n.body_html and "javascript:" not in n.body_html for n in notes)
        assert notes[0].source_url.endswith("jadwal-posyandu")


def test_regency_admin_publishes_terms_and_village_admin_cannot(app, make_admin):
    regency, village = app.test_client(), app.test_client()
    log_in(regency, make_admin("kab", "regency", "64.01"))
    log_in(village, make_admin("operator"))
    terms = {"summary": "Gratis\nSopan\nTidak untuk kejahatan", "full_text": "Lengkap."}
    assert post(village, "/admin/terms", terms).status_code == 403
    assert post(regency, "/admin/terms", {**terms, "summary": "satu"}).status_code == 200
    assert post(regency, "/admin/terms", terms).status_code == 302
    assert post(regency, "/admin/terms", terms).status_code == 302
    with app.app_context():
        versions = db.session.scalars(sa.select(TermsVersion.version)).all()
    assert sorted(versions) == [1, 2]


def test_only_visible_announcement_pictures_are_public(app, make_admin):
    client = app.test_client()
    log_in(client, make_admin("operator"))
    for published in ("y", ""):
        post(
            client, "/admin/bulletin/new",
            {"village": VILLAGE_A, "title": f"Foto {published}", "category": "wisata",
             "action": "save", "published": published,
             "picture": (io.BytesIO(_jpeg_with_exif(400, 300)), "a.jpg")},
            content_type="multipart/form-data",
        )  # fmt: skip
    with app.app_context():
        rows = db.session.execute(sa.select(Announcement.published, Announcement.image_path)).all()
    public = app.test_client()
    for published, name in rows:
        with public.get(f"/media/announcements/{name}") as response:
            assert response.status_code == (200 if published else 404)
    assert public.get("/media/announcements/..%2F..%2Fsecret_key").status_code == 404


def test_opensid_fetch_connects_to_the_address_it_checked(feed_server, monkeypatch):
    """DNS rebinding: the name answers the checked address first and another next; the
    fetch must not look it up again (here the second answer has nothing listening)."""
    port = int(feed_server.rsplit(":", 1)[1])
    answers = iter(["127.0.0.1", "127.0.0.2", "127.0.0.2"])
    lookups: list[str] = []

    def rebinding(host, port, *args, **kwargs):
        lookups.append(host)
        address = next(answers)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    data = feeds.fetch_feed(f"http://desa.example:{port}/", allow_private=True)
    assert lookups == ["desa.example"]
    assert [item.title for item in opensid.parse_feed(data)] == [
        item.title for item in opensid.parse_feed(FEED)
    ]


@pytest.fixture
def tls_feed_server():
    """The feed over HTTPS with a certificate for ``localhost`` from a throwaway CA."""
    authority = trustme.CA()
    server = HTTPServer(("127.0.0.1", 0), _FeedHandler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    authority.issue_cert("localhost").configure_cert(context)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    with serving(server):
        yield authority, server.server_port


def test_opensid_fetch_over_https_checks_the_certificate_for_the_name(tls_feed_server, monkeypatch):
    authority, port = tls_feed_server
    with pytest.raises(opensid.FeedError, match="CERTIFICATE_VERIFY_FAILED"):
        feeds.fetch_feed(f"https://localhost:{port}/", allow_private=True)
    default_context = ssl.create_default_context

    def trusting(*args, **kwargs):
        context = default_context(*args, **kwargs)
        authority.configure_trust(context)
        return context

    monkeypatch.setattr(ssl, "create_default_context", trusting)
    assert opensid.parse_feed(feeds.fetch_feed(f"https://localhost:{port}/", allow_private=True))
    with pytest.raises(opensid.FeedError, match=r"not valid for '127\.0\.0\.1'"):
        feeds.fetch_feed(f"https://127.0.0.1:{port}/", allow_private=True)
