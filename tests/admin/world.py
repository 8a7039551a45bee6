"""A small world of two villages with one of everything each, for isolation tests."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import sqlalchemy as sa
from flask import Flask

from portal.database import Base, db
from portal.domain.access import vouchers
from portal.domain.network import regions
from portal.models import AccountingSession, AdminUser, Announcement, Gateway, TermsVersion
from tests.admin.conftest import NOW, VILLAGE_A, VILLAGE_B
from tests.databases import TEST_SECRET_KEY

#: Tables a refused request may still write to (throttling counters, the audit log).
UNWATCHED = {"audit_entry", "login_attempt"}


@dataclass(frozen=True)
class VillageObjects:
    kode: str
    announcement_id: int
    gateway_id: int
    batch_id: int
    session_id: int
    admin_id: int
    marker: str

    def url_values(self) -> dict[str, object]:
        """Values for every URL parameter name the admin routes use."""
        return {
            "kode": self.kode,
            "announcement_id": self.announcement_id,
            "gateway_id": self.gateway_id,
            "batch_id": self.batch_id,
            "session_id": self.session_id,
            "admin_id": self.admin_id,
        }


def seed_village(kode: str, tag: str) -> VillageObjects:
    marker = f"RAHASIA-{tag}"
    note = Announcement(
        village_kode=kode,
        title=f"{marker} judul",
        body_markdown="isi",
        body_html="<p>isi</p>",
        category="pengumuman",
        created_at=NOW,
        updated_at=NOW,
    )
    gateway = Gateway(
        village_kode=kode,
        nas_identifier=f"gw-{tag.lower()}",
        source_address=f"10.8.0.{ord(tag[0])}",
        secret="s" * 24 + tag,
        hotspot_host=f"hs-{tag.lower()}.desa.lan",
        heartbeat_token="t" * 30 + tag,
        created_at=NOW,
        updated_at=NOW,
    )
    db.session.add_all([note, gateway])
    db.session.flush()
    batch, _codes = vouchers.create_batch(
        db.session,
        village_kode=kode,
        count=3,
        valid_days=7,
        now=NOW,
        master_key=TEST_SECRET_KEY,
        label=marker,
    )
    acct = AccountingSession(
        gateway_id=gateway.id,
        acct_session_id=f"81000{ord(tag[0])}",
        village_kode=kode,
        device=hashlib.sha256(tag.encode()).hexdigest(),
        local_date=NOW.date(),
        started_at=NOW,
        updated_at=NOW,
        input_octets=1000,
        output_octets=5_000_000,
        session_seconds=600,
        framed_ip="10.5.50.20",
        user_name="g-abc",
    )
    db.session.add(acct)
    operator = AdminUser(
        username=f"seed-op-{tag.lower()}",
        password_hash="$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$" + "A" * 43,
        role="village",
        scope_kode=kode,
        created_at=NOW,
    )
    db.session.add(operator)
    db.session.flush()
    return VillageObjects(kode, note.id, gateway.id, batch.id, acct.id, operator.id, marker)


def seed_world(app: Flask) -> tuple[VillageObjects, VillageObjects]:
    with app.app_context():
        a = seed_village(VILLAGE_A, "A")
        b = seed_village(VILLAGE_B, "B")
        db.session.add(
            TermsVersion(
                scope_kode="64.01", version=1, summary="a\nb\nc", full_text="x", published_at=NOW
            )
        )
        db.session.commit()
        return a, b


def snapshot(app: Flask, region: str | None = None) -> dict[str, list[tuple]]:
    """Every row of every watched table, to prove a refused request changed nothing.

    With ``region``, rows that carry a village or scope code are kept only when that
    code and ``region`` overlap (an admin may change their own region meanwhile).
    """
    with app.app_context():
        state = {}
        for table in Base.metadata.sorted_tables:
            if table.name in UNWATCHED:
                continue
            code = table.c.get("village_kode", table.c.get("scope_kode"))
            if table.name == "village":
                code = table.c.kode
            rows = db.session.execute(sa.select(table)).mappings().all()
            if region is not None and code is not None:
                rows = [r for r in rows if _overlap(r[code.name], region)]
            state[table.name] = sorted(tuple(map(repr, row.values())) for row in rows)
        db.session.rollback()
        return state


def _overlap(kode: str, region: str) -> bool:
    return regions.covers(kode, region) or regions.covers(region, kode)
