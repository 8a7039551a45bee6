"""Peak concurrent devices: counted from open sessions, per local hour and day, never lowered."""

from datetime import datetime

import sqlalchemy as sa

from portal.domain.usage.peaks import record_peaks
from portal.models import AccountingSession, UsageDaily, UsageHourly
from tests.domain.conftest import NOW


def open_session(session, gateway, number: int, device: str) -> AccountingSession:
    row = AccountingSession(
        gateway_id=gateway.id,
        acct_session_id=f"8010{number:04d}",
        village_kode=gateway.village_kode,
        device=device,
        local_date=NOW.date(),
        started_at=NOW,
        updated_at=NOW,
        session_seconds=0,
        input_octets=0,
        output_octets=0,
        interim_count=0,
        credential_kind="grant",
    )
    session.add(row)
    session.flush()
    return row


def peaks(session, village_kode: str) -> tuple[int, int]:
    hourly = session.scalar(
        sa.select(UsageHourly.peak_concurrent).where(UsageHourly.village_kode == village_kode)
    )
    daily = session.scalar(
        sa.select(UsageDaily.peak_concurrent).where(UsageDaily.village_kode == village_kode)
    )
    return hourly, daily


def test_peak_counts_distinct_open_devices_and_only_grows(session, make_village, make_gateway):
    gateway = make_gateway(make_village())
    other = make_gateway(make_village("64.01.01.2010"))
    zones = {gateway.village_kode: "WITA", other.village_kode: "WITA"}
    first = open_session(session, gateway, 1, "dev-a")
    open_session(session, gateway, 2, "dev-a")  # the same phone twice counts once
    open_session(session, gateway, 3, "dev-b")
    open_session(session, other, 4, "dev-c")
    record_peaks(session, zones, NOW)
    assert peaks(session, gateway.village_kode) == (2, 2)
    assert peaks(session, other.village_kode) == (1, 1)
    first.stopped_at = NOW
    session.flush()
    record_peaks(session, zones, NOW)
    assert peaks(session, gateway.village_kode) == (2, 2)  # a peak is never lowered
    hour = session.scalar(
        sa.select(UsageHourly.local_hour).where(UsageHourly.village_kode == gateway.village_kode)
    )
    assert hour == 11  # 03.00 UTC is 11.00 WITA


def test_a_new_hour_starts_its_own_peak(session, make_village, make_gateway):
    gateway = make_gateway(make_village())
    open_session(session, gateway, 1, "dev-a")
    record_peaks(session, {gateway.village_kode: "WITA"}, NOW)
    later = datetime(2026, 11, 22, 4, 0)
    record_peaks(session, {gateway.village_kode: "WITA"}, later)
    hours = session.execute(
        sa.select(UsageHourly.local_hour, UsageHourly.peak_concurrent).order_by("local_hour")
    ).all()
    assert [tuple(row) for row in hours] == [(11, 1), (12, 1)]
    assert session.scalar(sa.select(sa.func.count()).select_from(UsageDaily)) == 1
