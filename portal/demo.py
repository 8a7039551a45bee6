"""Demo data: Kabupaten Paser with three of its villages, ready to try on one machine.

`seed_demo` is idempotent: run it again and nothing is duplicated; only the demo
admins start afresh: new random passwords (printed each time, never stored in clear)
and, for the roles that must use it, two-step verification set up again at the first
login (a tester who lost the phone that scanned it last time is not locked out).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal.domain.accounts import admins, logins
from portal.models import AdminUser, Announcement, Gateway, TermsVersion, Village
from portal.world import World

REGENCY = "64.01"  # Kabupaten Paser, Kalimantan Timur (WITA)
VILLAGES = {
    "64.01.01.2009": "desa-samurangau",
    "64.01.01.2010": "desa-busui",
    "64.01.01.2011": "desa-batu-kajang",
}
GATEWAY_ADDRESS = "127.0.0.1"
HOTSPOT_HOST = "10.5.50.1"
POLICY = {
    "daily_mb": 1024,
    "daily_minutes": 240,
    "rate_limit": "2M/4M",
    "max_session_minutes": 120,
    "idle_minutes": 10,
    "interim_minutes": 5,
    "on_exhausted": "throttle",
    "throttle_rate": "256k/512k",
}
ADMINS = (
    ("demo-paser", "regency", REGENCY),
    ("demo-samurangau", "village", "64.01.01.2009"),
)
TERMS_SUMMARY = "\n".join(
    [
        "Internet ini gratis untuk warga, disediakan oleh Pemerintah Kabupaten Paser.",
        "Setiap perangkat mendapat kuota harian; kuota diisi ulang pukul 00.00 WITA.",
        "Dilarang mengakses atau menyebarkan konten yang melanggar hukum.",
        "Kami tidak menyimpan alamat perangkat Anda; data pemakaian hanya dihitung tanpa nama.",
    ]
)
TERMS_FULL = (
    "Ketentuan Penggunaan Wifi Desa Kabupaten Paser\n\n"
    "1. Layanan ini disediakan tanpa biaya untuk kepentingan warga desa.\n"
    "2. Kuota harian dan kecepatan dibagi adil untuk semua pengguna.\n"
    "3. Pengguna wajib mematuhi UU ITE dan tidak mengakses konten terlarang.\n"
    "4. Data pribadi dilindungi sesuai UU Pelindungan Data Pribadi: alamat perangkat "
    "diubah menjadi kode acak harian dan tidak dapat ditelusuri kembali.\n"
    "5. Layanan dapat terhenti sewaktu-waktu karena gangguan jaringan atau listrik."
)
# (title, category, pinned, body in Markdown: paragraphs separated by blank lines); {desa}
# is filled in.
ANNOUNCEMENTS = (
    (
        "Selamat datang di Wifi Desa {desa}",
        "pengumuman",
        True,
        "Wifi gratis ini dapat dipakai seluruh warga Desa {desa}.\n\n"
        "Gunakan dengan bijak dan berbagi dengan tetangga.",
    ),
    (
        "Musyawarah Desa: rencana kerja tahun depan",
        "agenda",
        False,
        "Musyawarah desa diadakan Sabtu pukul 09.00 WITA di balai Desa {desa}.\n\n"
        "Seluruh warga diundang hadir.",
    ),
    (
        "Jadwal Posyandu bulan ini",
        "kesehatan",
        False,
        "Posyandu balita dan lansia buka Selasa minggu kedua pukul 08.00-11.00 WITA.\n\n"
        "Bawa buku KIA dan kartu BPJS Kesehatan.",
    ),
)


@dataclass(frozen=True)
class DemoGateway:
    nas_identifier: str
    village_name: str
    secret: str


@dataclass(frozen=True)
class DemoAdmin:
    username: str
    role: str
    scope_kode: str
    password: str
    #: True when the console will make this admin set up TOTP at the first login.
    enrols_totp: bool = False


@dataclass(frozen=True)
class DemoSeed:
    """What `seed_demo` made sure exists, with the credentials to print."""

    villages: list[Village]
    gateways: list[DemoGateway]
    admins: list[DemoAdmin]


def seed_demo(session: Session, *, now: datetime) -> DemoSeed:
    """Make sure the demo regency exists and return its credentials. Only flushes.

    Everything is made through `portal.world.World`, the test world, so the demo holds
    exactly what the domain allows. Raises DomainError only if the bundled region list
    lacks the demo villages.
    """
    world = World(session, now=now, master_key="", actor="demo")  # it makes no grants
    demo_villages = [world.village(kode) for kode in VILLAGES]
    demo_gateways = [_ensure_gateway(world, village) for village in demo_villages]
    world.policy(REGENCY, **POLICY)
    if session.scalar(sa.select(TermsVersion.id).where(TermsVersion.scope_kode == REGENCY)) is None:
        world.terms(REGENCY, TERMS_SUMMARY, TERMS_FULL)
    for village in demo_villages:
        _ensure_announcements(world, village)
    demo_admins = [_ensure_admin(world, *spec) for spec in ADMINS]
    return DemoSeed(villages=demo_villages, gateways=demo_gateways, admins=demo_admins)


def _ensure_gateway(world: World, village: Village) -> DemoGateway:
    nas_id = VILLAGES[village.kode]
    gateway = world.session.scalar(sa.select(Gateway).where(Gateway.nas_identifier == nas_id))
    if gateway is None:
        gateway = world.gateway(
            village.kode, nas_id, address=GATEWAY_ADDRESS, hotspot_host=HOTSPOT_HOST
        )
    return DemoGateway(nas_identifier=nas_id, village_name=village.name, secret=gateway.secret)


def _ensure_announcements(world: World, village: Village) -> None:
    existing = set(
        world.session.scalars(
            sa.select(Announcement.title).where(Announcement.village_kode == village.kode)
        )
    )
    for title_template, category, pinned, body_template in ANNOUNCEMENTS:
        title = title_template.format(desa=village.name)
        if title not in existing:
            body = body_template.format(desa=village.name)  # Markdown: paragraphs
            world.announcement(village, title, body, category=category, pinned=pinned)


def _ensure_admin(world: World, username: str, role: str, scope: str) -> DemoAdmin:
    password = secrets.token_urlsafe(12)
    admin = world.session.scalar(sa.select(AdminUser).where(AdminUser.username == username))
    if admin is None:
        admin = world.admin(username, role, scope, password=password)
    else:
        admins.set_password(world.session, admin, password, now=world.now, actor="demo")
        logins.reset_totp(admin)
    return DemoAdmin(username=username, role=role, scope_kode=scope, password=password,
                     enrols_totp=logins.totp_required(admin))  # fmt: skip
