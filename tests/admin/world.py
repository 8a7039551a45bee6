"""A small world of two villages with one of everything each, for isolation tests."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import NamedTuple

import sqlalchemy as sa
from flask import Flask

from portal.database import db
from portal.domain.network import regions
from portal.domain.usage import orders
from portal.domain.usage.accounting import (
    STATUS_INTERIM,
    STATUS_START,
    AccountingContext,
    AccountingReport,
    record_batch,
)
from portal.models import AccountingSession, VoucherBatch
from portal.storage import Base
from portal.world import World
from tests.admin.conftest import NOW, PASSWORD, VILLAGE_A, VILLAGE_B
from tests.databases import TEST_SECRET_KEY


class AccessPoint(NamedTuple):
    gateway_id: int
    village_kode: str
    timezone: str


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
    order_id: int
    token_id: int = 0

    def url_values(self) -> dict[str, object]:
        """Values for every URL parameter name the admin routes use."""
        return {
            "kode": self.kode,
            "regency": self.kode[:5],
            "announcement_id": self.announcement_id,
            "gateway_id": self.gateway_id,
            "batch_id": self.batch_id,
            "session_id": self.session_id,
            "admin_id": self.admin_id,
            "order_id": self.order_id,
            "token_id": self.token_id,
        }


def seed_village(kode: str, tag: str) -> VillageObjects:
    """One of everything at the village ``kode``, each marked with ``tag``, made through
    the domain: an announcement, a gateway, a voucher batch, an open session with 5 MB
    used over 10 minutes, and a village operator."""
    marker = f"RAHASIA-{tag}"
    world = World(db.session, now=NOW, master_key=TEST_SECRET_KEY)
    village = world.village(kode)
    note = world.announcement(village, f"{marker} judul", "isi")
    gateway = world.gateway(
        kode, f"gw-{tag.lower()}", address=f"10.8.0.{ord(tag[0])}", secret="s" * 24 + tag,
        hotspot_host=f"hs-{tag.lower()}.desa.lan",
    )  # fmt: skip
    world.vouchers(kode, 3, label=marker)
    point = AccessPoint(gateway.id, kode, village.timezone)
    mac = f"02:00:00:00:00:{ord(tag[0]):02x}"
    report = partial(AccountingReport, point, acct_session_id=f"81000{ord(tag[0])}", mac=mac,
                     user_name="g-abc", framed_ip="10.5.50.20")  # fmt: skip
    record_batch(
        db.session,
        [report(STATUS_START), report(STATUS_INTERIM, session_seconds=600, input_octets=1000,
                                      output_octets=5_000_000)],
        AccountingContext(world.keyring),
        now=NOW,
    )  # fmt: skip
    acct = db.session.scalars(
        sa.select(AccountingSession).where(
            AccountingSession.acct_session_id == f"81000{ord(tag[0])}"
        )
    ).one()
    operator = world.admin(f"seed-op-{tag.lower()}", "village", kode, password=PASSWORD)
    batch = db.session.scalars(sa.select(VoucherBatch).where(VoucherBatch.label == marker)).one()
    # An earlier session of the same phone, ended by a Putuskan the router answered with
    # NAK 503 (it had no such session left).
    earlier = report(STATUS_START, acct_session_id=f"80000{ord(tag[0])}")
    record_batch(db.session, [earlier], AccountingContext(world.keyring), now=NOW)
    ended = db.session.scalars(
        sa.select(AccountingSession).where(
            AccountingSession.acct_session_id == earlier.acct_session_id
        )
    ).one()
    placed = orders.place(db.session, orders.kick(ended, gateway), requested_by_id=operator.id,
                          requested_by=operator.username, now=NOW)  # fmt: skip
    orders.record_answer(db.session, placed, orders.Answer(orders.NAK, 503), now=NOW)
    token = world.token(kode, label=marker)  # an API token for the village's data
    return VillageObjects(
        kode, note.id, gateway.id, batch.id, acct.id, operator.id, marker, placed.id,
        token_id=token.record.id,
    )  # fmt: skip


def seed_world(app: Flask) -> tuple[VillageObjects, VillageObjects]:
    with app.app_context():
        a = seed_village(VILLAGE_A, "A")
        b = seed_village(VILLAGE_B, "B")
        World(db.session, now=NOW, master_key=TEST_SECRET_KEY).terms("64.01", "a\nb\nc", "x")
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
