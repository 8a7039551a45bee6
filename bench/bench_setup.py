"""Benchmark data: a migrated SQLite database with one village, one gateway and fresh grants.

The village, its gateway and the terms come from the test world (`portal.world`). Grants
are written the way the portal would leave them after residents accepted the terms (one
per device, bound to the gateway and the device pseudonym of today, with the device's
day row noting the accepted terms), but in two bulk statements: the benchmark needs
a hundred thousand of them, which one `issue_grant` each would take minutes to make.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from portal import create_app
from portal.config import Settings, utcnow
from portal.database import db
from portal.domain.access import grants
from portal.domain.pseudonyms import KeyRing, pseudonym
from portal.migrations import upgrade_database
from portal.models import DeviceDay, LoginGrant
from portal.storage import make_engine, make_sessionmaker
from portal.world import World

KODE, TIMEZONE = "64.01.01.2009", "WITA"


def populate(
    folder: Path, *, secret: str, nas_identifier: str, count: int
) -> tuple[Settings, list[tuple[str, str, str]]]:
    """Create the database; returns settings and (username, password, MAC) per grant."""
    settings = Settings(data_dir=folder, secret_key="bench-" + "0" * 58)
    folder.mkdir(parents=True, exist_ok=True)
    app = create_app(settings)
    upgrade_database(app)
    with app.app_context():
        db.engine.dispose()
    engine = make_engine(settings)
    now = utcnow()
    out: list[tuple[str, str, str]] = []
    with make_sessionmaker(engine)() as session:
        world = World(session, now=now, master_key=settings.secret_key, actor="bench")
        gateway = world.gateway(KODE, nas_identifier, secret=secret)
        terms = world.terms(KODE[:5])
        day, _ = KeyRing().device_for_day(
            session, village_kode=KODE, timezone=TIMEZONE, mac="00:00:00:00:00:00", now=now
        )
        key = KeyRing().key(session, "quota", f"{KODE}/{day.isoformat()}", window_end=now, now=now)
        grant_rows, day_rows = [], []
        for n in range(count):
            mac = ":".join(
                f"{b:02X}" for b in (10, n >> 24 & 255, n >> 16 & 255, n >> 8 & 255, n & 255, 1)
            )
            device = pseudonym(key, mac)
            username = f"{grants.USERNAME_PREFIX}{n:016x}"
            grant_rows.append(
                {
                    "username": username,
                    "gateway_id": gateway.id,
                    "village_kode": KODE,
                    "device": device,
                    "local_date": day,
                    "terms_version_id": terms.id,
                    "created_at": now,
                    "expires_at": now + timedelta(minutes=5),
                }
            )
            day_rows.append(
                {
                    "village_kode": KODE,
                    "local_date": day,
                    "device": device,
                    "bytes_total": 0,
                    "seconds_total": 0,
                    "sessions": 0,
                    "terms_version_id": terms.id,
                }
            )
            out.append((username, grants.grant_password(settings.secret_key, username), mac))
        session.execute(sa.insert(LoginGrant), grant_rows)
        session.execute(sa.insert(DeviceDay), day_rows)
        session.commit()
    engine.dispose()
    return settings, out
