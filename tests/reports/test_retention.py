"""Retention: raw sessions and keys go on schedule; then a device's days can't be linked."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from click.testing import CliRunner

from portal import maintenance, settings_of
from portal.cli.upkeep import commands
from portal.domain import pseudonyms
from portal.domain.pseudonyms import normalize_mac
from portal.domain.usage import retention
from portal.models import (
    AccountingSession,
    DeviceDay,
    LoginAttempt,
    PseudonymKey,
    UsageDaily,
    Voucher,
    VoucherBatch,
)
from tests.reports.feed import Played, feed

VILLAGE = "64.01.01.2009"  # WITA
MAC = "aa:bb:cc:00:11:22"
DAY1_NOON = datetime(2026, 3, 1, 4, 0)  # 12.00 WITA on 1 March
DAY2_NOON = datetime(2026, 3, 2, 4, 0)


def two_days_of_one_device(session, make_village, make_gateway, voucher_id=None):
    gateway = make_gateway(make_village(VILLAGE), "paser-1")
    feed(session, [Played(gateway, MAC, DAY1_NOON, 30, 1000, 100),
                   Played(gateway, MAC, DAY2_NOON, 30, 1000, 100)])  # fmt: skip
    if voucher_id is not None:
        session.execute(sa.update(AccountingSession).values(voucher_id=voucher_id))
        session.execute(sa.update(DeviceDay).values(voucher_id=voucher_id))
        session.commit()
    return gateway


def link(session) -> bool:
    """Can the two days' sessions be tied to MAC through the stored keys?"""
    rows = session.scalars(sa.select(AccountingSession).order_by(AccountingSession.started_at))
    found = []
    for row in rows:
        key = session.scalar(
            sa.select(PseudonymKey.key).where(
                PseudonymKey.window == pseudonyms.quota_window(row.village_kode, row.local_date)
            )
        )
        found.append(
            key is not None and pseudonyms.pseudonym(key, normalize_mac(MAC)) == row.device
        )
    return all(found) and len(found) == 2


def shared_values(session) -> set:
    """Values (other than village, gateway and figures) that rows of both days carry."""
    days: dict = {}
    for row in session.scalars(sa.select(AccountingSession)):
        days.setdefault(row.local_date, set()).update(
            v for v in (row.device, row.user_name, row.voucher_id, row.grant_id) if v is not None
        )
    for row in session.scalars(sa.select(DeviceDay)):
        days.setdefault(row.local_date, set()).update(v for v in (row.device, row.voucher_id) if v)
    first, second = days.values()
    return first & second


def test_after_key_destruction_two_days_of_a_device_cannot_be_linked(
    app, session, make_village, make_gateway
):
    batch = VoucherBatch(village_kode=VILLAGE, valid_days=1, created_at=DAY1_NOON,
                         expires_at=DAY2_NOON + timedelta(hours=8))  # fmt: skip
    village = make_village(VILLAGE)
    session.add(batch)
    session.flush()
    voucher = Voucher(batch_id=batch.id, serial=1, code_hash="h" * 64, bound_device="p" * 32)
    session.add(voucher)
    session.flush()
    gateway = make_gateway(village, "gw")
    feed(session, [Played(gateway, MAC, DAY1_NOON, 30, 1000, 100),
                   Played(gateway, MAC, DAY2_NOON, 30, 1000, 100)])  # fmt: skip
    session.execute(sa.update(AccountingSession).values(voucher_id=voucher.id, user_name="wd-x"))
    session.execute(sa.update(DeviceDay).values(voucher_id=voucher.id))
    session.commit()
    settings = settings_of(app)
    assert link(session)
    assert shared_values(session) == {voucher.id, "wd-x"}  # e.g. a voucher login name

    counts = retention.purge(session, DAY2_NOON + timedelta(days=3, hours=1), settings)
    session.commit()

    assert counts.keys_destroyed == 2 and counts.sessions_deleted == 0
    assert session.scalar(sa.select(sa.func.count()).select_from(PseudonymKey)) == 0
    assert not link(session)
    assert shared_values(session) == set()
    assert session.get(Voucher, voucher.id).bound_device is None
    assert session.scalar(sa.select(sa.func.sum(UsageDaily.devices))) == 2  # the rollups stay


def test_keys_live_through_the_grace_period(app, session, make_village, make_gateway):
    two_days_of_one_device(session, make_village, make_gateway)
    # Day 2 (WITA) ends 16.00 UTC on 2 March; grace 2 days → destroyed at 16.00 on 4 March.
    retention.purge(session, datetime(2026, 3, 4, 15, 59), settings_of(app))
    assert session.scalar(sa.select(sa.func.count()).select_from(PseudonymKey)) == 1
    retention.purge(session, datetime(2026, 3, 4, 16, 0), settings_of(app))
    assert session.scalar(sa.select(sa.func.count()).select_from(PseudonymKey)) == 0


def test_sessions_are_deleted_after_the_configured_period(app, session, make_village, make_gateway):
    two_days_of_one_device(session, make_village, make_gateway)
    settings = replace(settings_of(app), session_retention_days=30)
    day1_stop = DAY1_NOON + timedelta(minutes=30)
    counts = retention.purge(session, day1_stop + timedelta(days=30, seconds=1), settings)
    assert counts.sessions_deleted == 1 and counts.device_days_deleted == 0
    counts = retention.purge(session, DAY2_NOON + timedelta(days=31), settings)
    assert counts.sessions_deleted == 1 and counts.device_days_deleted == 2
    assert session.scalar(sa.select(sa.func.count()).select_from(AccountingSession)) == 0
    assert session.scalar(sa.select(sa.func.count()).select_from(UsageDaily)) == 2


def test_old_failed_logins_are_deleted(app, session):
    session.add(LoginAttempt(username="x", address_hash="a" * 64, at=DAY1_NOON))
    session.flush()
    later = DAY2_NOON + timedelta(minutes=1)
    assert retention.purge(session, later, settings_of(app)).login_attempts_deleted == 1


def test_purge_command_leaves_no_destroyed_key_in_the_sqlite_files(
    app, session, make_village, make_gateway
):
    if session.get_bind().dialect.name != "sqlite":
        return
    two_days_of_one_device(session, make_village, make_gateway)
    keys = list(session.scalars(sa.select(PseudonymKey.key)))
    database = Path(session.get_bind().url.database)
    session.remove()
    settings = settings_of(app)
    env = {"WIFIDESA_DATABASE_URL": settings.database_url,
           "WIFIDESA_DATA_DIR": str(settings.data_dir)}  # fmt: skip
    result = CliRunner().invoke(commands[0], env=env)
    assert result.exit_code == 0, result.output
    assert "keys destroyed: 2" in result.output and "disimpan 90 hari" in result.output
    files = [database, database.with_name(database.name + "-wal")]
    raw = b"".join(path.read_bytes() for path in files if path.exists())
    assert raw and all(key not in raw for key in keys)


def test_retention_page_says_it_in_plain_words(client, app, make_admin, login):
    login(make_admin("regency", "64.01"))
    page = client.get("/reports/penyimpanan").get_data(as_text=True)
    assert "disimpan 90 hari" in page and "2 hari setelah" in page


def test_the_server_purges_once_a_day(app, session, make_village, make_gateway):
    from portal.storage import make_engine, make_sessionmaker

    two_days_of_one_device(session, make_village, make_gateway)
    session.remove()
    engine = make_engine(settings_of(app))
    daily = maintenance.DailyPurge(make_sessionmaker(engine), settings_of(app))
    try:
        first = daily.tick(datetime(2026, 3, 10, 1, 0))
        assert first is not None and first.keys_destroyed == 2
        assert daily.tick(datetime(2026, 3, 10, 23, 0)) is None
        assert daily.tick(datetime(2026, 3, 11, 0, 0)) is not None
    finally:
        engine.dispose()
