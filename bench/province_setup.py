"""Province benchmark data: villages, gateways, policies and terms, through the domain layer.

Every village of the chosen list gets one gateway on its own loopback address
(127.64.x.y), as if each router reached the central server over a VPN from its own
address; the RADIUS server tells them apart by source address and NAS-Identifier and
sends Disconnect/CoA back to that address. PostgreSQL databases are created fresh and
dropped afterwards.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from portal import create_app
from portal.config import Settings, utcnow
from portal.database import db
from portal.domain.network import regions
from portal.migrations import upgrade_database
from portal.storage import make_engine, make_sessionmaker
from portal.world import World

PROVINCE = "64"  # Kalimantan Timur
HOTSPOT_HOST = "10.5.50.1"
#: Regencies whose policy throttles instead of refusing once a quota is spent (Bontang).
THROTTLE_REGENCIES = ("64.74",)
TERMS = (
    "- Gunakan internet dengan bijak.\n- Dilarang mengakses konten ilegal.\n"
    "- Kuota harian dibatasi per perangkat."
)


@dataclass(frozen=True)
class GatewaySpec:
    """One simulated router: its village, NAS-Identifier, address and secret."""

    index: int
    village_kode: str
    nas_id: str
    address: str
    secret: str
    throttle: bool


def desa_codes(count: int | None) -> list[str]:
    """The province's desa (village code's fourth part starting with 2), spread evenly
    over the list when ``count`` is smaller than all 841."""
    codes = [r.kode for r in regions.villages_under(PROVINCE) if r.kode[9] == "2"]
    if count is None or count >= len(codes):
        return codes
    step = len(codes) / count
    return [codes[int(i * step)] for i in range(count)]


def loopback_address(index: int) -> str:
    return f"127.64.{index // 200}.{index % 200 + 1}"


def create_postgres(base_url: str) -> str:
    """Create a fresh database on the server of ``base_url``; returns its URL."""
    name = "wifidesa_province_" + secrets.token_hex(4)
    admin = sa.create_engine(_driver(base_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return base_url.rsplit("/", 1)[0] + "/" + name


def drop_postgres(url: str) -> None:
    """Drop a database made by `create_postgres` (ending its leftover connections)."""
    base, name = url.rsplit("/", 1)
    admin = sa.create_engine(_driver(base + "/postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(
            sa.text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = :name AND pid <> pg_backend_pid()"
            ),
            {"name": name},
        )
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name}"))
    admin.dispose()


def _driver(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


def populate(
    settings: Settings, codes: list[str], *, coa_port: int, daily_mb: int
) -> list[GatewaySpec]:
    """Migrate the database and register every village with one gateway; returns them.

    Policies per regency: a one-minute interim interval (so the server's stale sweep,
    three missed intervals, fits in a compressed day) and a daily quota of ``daily_mb``.
    """
    app = create_app(settings)
    upgrade_database(app)
    with app.app_context():
        db.engine.dispose()
    engine = make_engine(settings)
    now = utcnow()
    specs: list[GatewaySpec] = []
    with make_sessionmaker(engine)() as session:
        world = World(session, now=now, master_key=settings.secret_key, actor="bench")
        for regency in sorted({code[:5] for code in codes}):
            throttle = regency in THROTTLE_REGENCIES
            world.policy(
                regency,
                daily_mb=daily_mb,
                interim_minutes=1,
                on_exhausted="throttle" if throttle else "reject",
            )
            world.terms(regency, TERMS, TERMS)
        for index, code in enumerate(codes):
            secret = secrets.token_hex(12)
            nas_id = "gw-" + code.replace(".", "")
            address = loopback_address(index)
            world.gateway(
                code, nas_id, address=address, secret=secret, coa_port=coa_port,
                hotspot_host=HOTSPOT_HOST,
            )  # fmt: skip
            specs.append(
                GatewaySpec(index, code, nas_id, address, secret, code[:5] in THROTTLE_REGENCIES)
            )
        session.commit()
    engine.dispose()
    return specs


def settings_for(folder: Path, database_url: str = "") -> Settings:
    folder.mkdir(parents=True, exist_ok=True)
    return Settings(data_dir=folder, database_url=database_url, secret_key="province-" + "0" * 55)
