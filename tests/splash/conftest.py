"""Fixtures of the residents' pages: a migrated portal on SQLite and PostgreSQL, one
village with a gateway, terms and a realistic bulletin, and helpers that play the
router's login page.

Fixture names are prefixed where the shared tests/conftest.py may define the plain
ones, so both can be merged without one silently replacing the other.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from portal import create_app
from portal.config import Settings, utcnow
from portal.database import db
from portal.domain.access import hotspot
from portal.web import router_fields as edge
from portal.world import World as TestWorld
from tests import databases
from tests.databases import BACKENDS, migrated_settings

MAC = "AA:BB:CC:DD:EE:01"
CHAP_ID = bytes([0o371])
CHAP_CHALLENGE = bytes.fromhex("ef0dd80b119c65a5c3ab62a65b7dfdce")
NAS_ID = "samurangau-kantor"
GATEWAY_SECRET = "rahasia-radius-desa-samurangau-01"

TERMS_SUMMARY = """Internet gratis untuk warga dan tamu Desa Samurangau.
Dilarang untuk judi, pornografi, penipuan, dan menyebarkan hoaks.
Kuota harian 1 GB per perangkat, berlaku sampai pukul 00.00 WITA.
Kami tidak menyimpan nama, nomor HP, atau alamat perangkat Anda."""

TERMS_FULL = "\n\n".join(
    [
        "Syarat dan Ketentuan Penggunaan Wifi Desa Kabupaten Paser.",
        "1. Layanan ini disediakan Pemerintah Kabupaten Paser melalui Dinas Komunikasi dan "
        "Informatika untuk mendukung pelayanan publik, pendidikan, dan ekonomi desa.",
        "2. Pengguna wajib mematuhi peraturan perundang-undangan, termasuk UU ITE. Akses ke "
        "situs judi, pornografi, dan konten yang melanggar hukum dilarang dan dapat diblokir.",
        "3. Untuk pemerataan, setiap perangkat mendapat kuota harian. Kuota direset setiap "
        "tengah malam waktu setempat. Setelah kuota habis, akses dihentikan sampai besok.",
        "4. Pelindungan data pribadi: kami tidak meminta nama atau nomor telepon. Alamat "
        "perangkat diubah menjadi kode acak harian; yang disimpan hanya jumlah pemakaian.",
        "5. Layanan diberikan apa adanya; gangguan listrik atau jaringan dapat terjadi. "
        "Laporkan gangguan ke kantor desa pada jam layanan 08.00–16.00 WITA.",
    ]
)

NEWS = [
    (
        "Posyandu Balita bulan ini",
        "<p>Posyandu Melati buka <strong>Selasa pukul 08.00</strong> "
        "di balai desa. Bawa buku KIA dan KMS. Ada imunisasi campak dan pembagian vitamin A.</p>",
    ),
    (
        "Musyawarah Desa RKP Desa 2027",
        "<p>Seluruh warga diundang ke musyawarah desa "
        "pembahasan RKP Desa 2027 di aula kantor desa, Kamis pukul 09.00 WITA.</p>",
    ),
    (
        "APBDes 2026: Jalan usaha tani",
        "<ul><li>Kegiatan: pengerasan jalan usaha tani</li>"
        "<li>Lokasi: RT 03 Dusun Sungai Batu</li><li>Anggaran: Rp245.000.000</li></ul>",
    ),
    (
        "Gotong royong Sabtu",
        "<p>Kerja bakti membersihkan saluran air di RT 01 dan RT 02, "
        "Sabtu pukul 07.00. Bawa cangkul dan parang.</p>",
    ),
    (
        "Lapak UMKM: Gula aren Samurangau",
        "<p>Gula aren asli Samurangau, Rp25.000 per kilo. "
        "Pesan di BUMDes Maju Bersama, buka setiap hari kerja.</p>",
    ),
]


@dataclass
class World:
    """The seeded village, its gateway and terms."""

    settings: Settings
    village_kode: str
    gateway_id: int
    terms_id: int


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def splash_settings(tmp_path: Path, backend: str) -> Iterator[Settings]:
    """Migrated settings on a fresh database of the parametrised backend."""
    with databases.database_url(backend, tmp_path) as url:
        yield migrated_settings(tmp_path, url, public_url="http://portal.test")


@pytest.fixture
def portal_app(splash_settings: Settings) -> Iterator[Flask]:
    app = create_app(splash_settings)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def portal_client(portal_app: Flask) -> FlaskClient:
    return portal_app.test_client()


def seed_world(app: Flask, *, now: datetime | None = None, news: int = 5) -> World:
    """One Paser village with a gateway, regency terms and ``news`` announcements."""
    now = now or utcnow()
    with app.app_context():
        settings = app.extensions["wifidesa.settings"]
        world = TestWorld(db.session, now=now, master_key=settings.secret_key)
        village = world.village("64.01.01.2009", ssid="WifiDesa-Samurangau", slug="samurangau")
        gateway = world.gateway(village.kode, NAS_ID, secret=GATEWAY_SECRET)
        version = world.terms("64.01", TERMS_SUMMARY, TERMS_FULL)
        for index, (title, body) in enumerate(NEWS[:news]):
            world.announcement(village, title, body, pinned=index == 1,
                               at=now - timedelta(hours=index + 1))  # fmt: skip
        db.session.commit()
        seeded = World(settings, village.kode, gateway.id, version.id)
        db.session.remove()
    return seeded


@pytest.fixture
def world(portal_app: Flask) -> World:
    return seed_world(portal_app)


def router_fields(**overrides: str) -> dict[str, str]:
    """The fields a RouterOS hotspot's login page (ours) posts, with `overrides` applied
    (keys with underscores stand for MikroTik's hyphens). Free-text values go URL-escaped
    in their ``-esc`` fields, as ``$(name-esc)`` makes the router write them."""
    fields = {
        "identity": NAS_ID,
        "server-name": "hs-desa",
        "mac": MAC,
        "ip": "10.5.50.23",
        "username": "",
        "link-login-only": "http://10.5.50.1/login",
        "link-orig": "http://example.com/berita",
        "link-status": "http://10.5.50.1/status",
        "chap-id": hotspot.encode_octal(CHAP_ID),
        "chap-challenge": hotspot.encode_octal(CHAP_CHALLENGE),
        "error": "",
        "trial": "no",
    }
    fields.update({name.replace("_", "-"): value for name, value in overrides.items()})
    return {
        (f"{name}-esc" if name in edge.ESCAPED_FIELDS else name): (
            quote_plus(value, safe="") if name in edge.ESCAPED_FIELDS else value
        )
        for name, value in fields.items()
    }


TOKEN_RE = re.compile(r'name="t" value="([^"]+)"')


def ticket_of(page: TestResponse) -> str:
    """The signed ticket in a splash page's accept form."""
    found = TOKEN_RE.search(page.get_data(as_text=True))
    assert found, "no accept form on the page"
    return found.group(1)


@pytest.fixture
def open_splash(portal_client: FlaskClient) -> Callable[..., TestResponse]:
    """``open_splash(**overrides)``: post the router's fields and follow to the splash."""

    def open_(**overrides: str) -> TestResponse:
        entry = portal_client.post("/hotspot", data=router_fields(**overrides))
        if entry.status_code != 303:
            return entry
        return portal_client.get(entry.headers["Location"])

    return open_


@pytest.fixture
def count_queries(portal_app: Flask) -> Callable[[], Any]:
    """``with count_queries() as seen: …`` collects every SQL statement sent."""
    from contextlib import contextmanager

    @contextmanager
    def counting() -> Iterator[list[str]]:
        seen: list[str] = []

        def listener(*args: Any) -> None:
            seen.append(args[2])

        with portal_app.app_context():
            engine = db.engine
        sa.event.listen(engine, "before_cursor_execute", listener)
        try:
            yield seen
        finally:
            sa.event.remove(engine, "before_cursor_execute", listener)

    return counting


@dataclass
class LivePortal:
    """The portal served on a loopback port by werkzeug in a thread."""

    app: Flask
    url: str


@pytest.fixture
def live_portal(portal_app: Flask) -> Iterator[LivePortal]:
    """Serve `portal_app` on 127.0.0.1; its public URL is that address."""
    import dataclasses

    from tests.live import serve

    with serve(portal_app) as server:
        url = f"http://127.0.0.1:{server.server_port}"
        settings = portal_app.extensions["wifidesa.settings"]
        portal_app.extensions["wifidesa.settings"] = dataclasses.replace(settings, public_url=url)
        yield LivePortal(portal_app, url)


@pytest.fixture
def chromium() -> Iterator[Any]:
    """The run's headless Chromium (`tests.chromium`), skipped with a reason where it is
    not installed; contexts the test opens are closed after it."""
    from tests import chromium

    with chromium.contexts_closed(chromium.browser()) as browser:
        yield browser


def record_usage_today(
    app: Flask, world: World, *, bytes_total: int, seconds_total: int, sessions: int
) -> None:
    """Give the test phone (MAC) usage counters for today, as RADIUS accounting would."""
    from portal.models import DeviceDay
    from portal.splash import KEYRING

    with app.app_context():
        day, device = app.extensions[KEYRING].device_for_day(
            db.session,
            village_kode=world.village_kode,
            timezone="WITA",
            mac=MAC,
            now=utcnow(),
        )
        db.session.add(
            DeviceDay(
                village_kode=world.village_kode,
                local_date=day,
                device=device,
                bytes_total=bytes_total,
                seconds_total=seconds_total,
                sessions=sessions,
            )
        )
        db.session.commit()
