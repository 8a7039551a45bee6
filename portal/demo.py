"""Demo data: Kabupaten Paser with three of its villages, ready to try on one machine.

`seed_demo` is idempotent: run it again and nothing is duplicated; only the demo
admins get new random passwords (they are printed each time, never stored in clear).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from markupsafe import escape
from sqlalchemy.orm import Session

from portal.domain.accounts import admins
from portal.domain.network import gateways, policies, villages
from portal.models import AdminUser, Announcement, Gateway, TermsVersion, Village

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
# (title, category, pinned, body paragraphs separated by blank lines); {desa} is filled in.
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


@dataclass(frozen=True)
class DemoSeed:
    """What `seed_demo` made sure exists, with the credentials to print."""

    villages: list[Village]
    gateways: list[DemoGateway]
    admins: list[DemoAdmin]


def paragraphs_html(text: str) -> str:
    """Plain text as escaped HTML paragraphs (one per blank-line-separated block)."""
    blocks = [block.strip() for block in text.split("\n\n") if block.strip()]
    return "".join(f"<p>{escape(block)}</p>" for block in blocks)


def seed_demo(session: Session, *, now: datetime) -> DemoSeed:
    """Make sure the demo regency exists and return its credentials. Only flushes.

    Raises DomainError only if the bundled region list lacks the demo villages.
    """
    demo_villages = [_ensure_village(session, kode, now) for kode in VILLAGES]
    demo_gateways = [_ensure_gateway(session, village, now) for village in demo_villages]
    policies.set_policy(session, REGENCY, now=now, **POLICY)
    _ensure_terms(session, now)
    for village in demo_villages:
        _ensure_announcements(session, village, now)
    demo_admins = [_ensure_admin(session, *spec, now=now) for spec in ADMINS]
    return DemoSeed(villages=demo_villages, gateways=demo_gateways, admins=demo_admins)


def _ensure_village(session: Session, kode: str, now: datetime) -> Village:
    return session.get(Village, kode) or villages.add_village(session, kode, now=now, actor="demo")


def _ensure_gateway(session: Session, village: Village, now: datetime) -> DemoGateway:
    nas_id = VILLAGES[village.kode]
    gateway = session.scalar(sa.select(Gateway).where(Gateway.nas_identifier == nas_id))
    if gateway is None:
        gateway = gateways.add_gateway(
            session,
            village_code=village.kode,
            nas_identifier=nas_id,
            address=GATEWAY_ADDRESS,
            hotspot_host=HOTSPOT_HOST,
            now=now,
            actor="demo",
        ).gateway
    return DemoGateway(nas_identifier=nas_id, village_name=village.name, secret=gateway.secret)


def _ensure_terms(session: Session, now: datetime) -> None:
    exists = session.scalar(sa.select(TermsVersion.id).where(TermsVersion.scope_kode == REGENCY))
    if exists is None:
        session.add(
            TermsVersion(
                scope_kode=REGENCY,
                version=1,
                summary=TERMS_SUMMARY,
                full_text=TERMS_FULL,
                published_at=now,
            )
        )
        session.flush()


def _ensure_announcements(session: Session, village: Village, now: datetime) -> None:
    existing = set(
        session.scalars(
            sa.select(Announcement.title).where(Announcement.village_kode == village.kode)
        )
    )
    for title_template, category, pinned, body_template in ANNOUNCEMENTS:
        title = title_template.format(desa=village.name)
        if title in existing:
            continue
        body = body_template.format(desa=village.name)
        session.add(
            Announcement(
                village_kode=village.kode,
                title=title,
                body_markdown=body,
                body_html=paragraphs_html(body),
                category=category,
                pinned=pinned,
                created_at=now,
                updated_at=now,
            )
        )
    session.flush()


def _ensure_admin(
    session: Session, username: str, role: str, scope: str, *, now: datetime
) -> DemoAdmin:
    password = secrets.token_urlsafe(12)
    admin = session.scalar(sa.select(AdminUser).where(AdminUser.username == username))
    if admin is None:
        admins.create_admin(
            session, username, role=role, scope=scope, password=password, now=now, actor="demo"
        )
    else:
        admins.set_password(session, admin, password, now=now, actor="demo")
    return DemoAdmin(username=username, role=role, scope_kode=scope, password=password)
