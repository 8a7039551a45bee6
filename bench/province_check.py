"""Reconciliation after a province run: the gateways' ledger against the database.

* Every accounting request a gateway got an answer for is stored exactly once: one row
  per (gateway, Acct-Session-Id), its counters the last answered values, its interim
  count the number of answered Interim-Updates, closed with the expected cause (the
  Stop's, NAS-Reboot after Accounting-On, Stale-Session for a silent gateway).
* Every rollup equals the sum of its sessions: each device's day, each village's hours
  (and days, which equal the sum of their hours), and each village day's users the
  device days with a session.

A request the gateway gave up on may still have been stored (the answer was late);
then the stored counters may be those of that request, and it is counted apart.
"""

from __future__ import annotations

from collections import Counter, defaultdict

import sqlalchemy as sa
from province_gateway import Ledger
from sqlalchemy.orm import Session

from portal.models import AccountingSession, DeviceDay, Gateway, UsageDaily, UsageHourly

SUMMED = ("bytes_up", "bytes_down", "seconds_online", "sessions")


def reconcile(session: Session, ledger: Ledger) -> tuple[list[str], Counter]:
    """Compare; returns (mismatches, what was checked). Empty mismatches = all good."""
    problems: list[str] = []
    checked: Counter = Counter()
    rows = session.execute(
        sa.select(AccountingSession, Gateway.nas_identifier).join(
            Gateway, Gateway.id == AccountingSession.gateway_id
        )
    ).all()
    stored: dict[tuple[str, str], AccountingSession] = {}
    for row, nas_id in rows:
        key = (nas_id, row.acct_session_id)
        if key in stored:
            problems.append(f"session {key} stored twice")
        stored[key] = row
    for key, entry in ledger.sessions.items():
        row = stored.get(key)
        if entry.last is None:
            if row is not None and not entry.unanswered:
                problems.append(f"session {key} stored but nothing was sent for it")
            checked["sessions never answered"] += 1
            continue
        if row is None:
            problems.append(f"session {key}: answered but not stored")
            continue
        checked["answered sessions"] += 1
        values = (row.input_octets, row.output_octets, row.session_seconds)
        if values != entry.last:
            if values in entry.unanswered:
                checked["stored a request whose answer came too late"] += 1
            else:
                problems.append(f"session {key}: stored {values}, last answered {entry.last}")
        late_interims = entry.unanswered_interims
        if not entry.interims <= row.interim_count <= entry.interims + late_interims:
            problems.append(
                f"session {key}: {row.interim_count} interims stored, {entry.interims} answered"
            )
        if entry.cause is not None:
            checked[f"closed: {entry.cause}"] += 1
            if row.stopped_at is None or row.terminate_cause != entry.cause:
                problems.append(
                    f"session {key}: expected closed as {entry.cause}, found "
                    f"{row.terminate_cause if row.stopped_at else 'open'}"
                )
        elif row.stopped_at is None:
            checked["left open (Stop unanswered)"] += 1
    for key in stored.keys() - ledger.sessions.keys():
        problems.append(f"session {key} stored but never sent")
    problems += _rollups(session, checked)
    return problems, checked


def _rollups(session: Session, checked: Counter) -> list[str]:
    problems: list[str] = []
    s = AccountingSession
    per_device = session.execute(
        sa.select(
            s.village_kode,
            s.local_date,
            s.device,
            sa.func.sum(s.input_octets + s.output_octets),
            sa.func.sum(s.session_seconds),
            sa.func.count(),
        )
        .where(s.device.is_not(None))
        .group_by(s.village_kode, s.local_date, s.device)
    ).all()
    sums = {(v, d, dev): (int(b), int(sec), int(n)) for v, d, dev, b, sec, n in per_device}
    days = session.execute(
        sa.select(
            DeviceDay.village_kode,
            DeviceDay.local_date,
            DeviceDay.device,
            DeviceDay.bytes_total,
            DeviceDay.seconds_total,
            DeviceDay.sessions,
        )
    ).all()
    for v, d, dev, b, sec, n in days:
        checked["device days"] += 1
        if sums.pop((v, d, dev), (0, 0, 0)) != (b, sec, n):
            problems.append(f"device day {v} {d} {dev[:8]}…: ({b}, {sec}, {n}) ≠ its sessions")
    for key in sums:
        problems.append(f"sessions of device {key[2][:8]}… at {key[0]} have no device day")

    per_village = session.execute(
        sa.select(
            s.village_kode,
            sa.func.sum(s.input_octets),
            sa.func.sum(s.output_octets),
            sa.func.sum(s.session_seconds),
            sa.func.count(),
        ).group_by(s.village_kode)
    ).all()
    expected = {v: tuple(int(x) for x in rest) for v, *rest in per_village}
    hourly = _summed(session, UsageHourly, by_date=False)
    for village, totals in hourly.items():
        checked["villages (hourly rollups)"] += 1
        if expected.pop(village, (0, 0, 0, 0)) != totals:
            problems.append(f"village {village}: hourly rollups {totals} ≠ its sessions")
    for village in expected:
        problems.append(f"village {village} has sessions but no hourly rollup")
    daily, hours = _summed(session, UsageDaily, by_date=True), _summed(session, UsageHourly, True)
    # A village's users of a day are its devices that were online (a session recorded),
    # not every device-day row (RADIUS notes accepted terms or a voucher on one before
    # the device's first session, which may never come).
    devices = session.execute(
        sa.select(DeviceDay.village_kode, DeviceDay.local_date, sa.func.count())
        .where(DeviceDay.sessions > 0)
        .group_by(DeviceDay.village_kode, DeviceDay.local_date)
    ).all()
    device_counts = {(v, d): n for v, d, n in devices}
    stored_devices = {
        (v, d): n
        for v, d, n in session.execute(
            sa.select(UsageDaily.village_kode, UsageDaily.local_date, UsageDaily.devices)
        )
    }
    for key in daily.keys() | hours.keys():
        checked["village days"] += 1
        if daily.get(key) != hours.get(key):
            problems.append(f"village day {key}: daily {daily.get(key)} ≠ hours {hours.get(key)}")
        if stored_devices.get(key, 0) != device_counts.get(key, 0):
            problems.append(
                f"village day {key}: {stored_devices.get(key, 0)} devices counted,"
                f" {device_counts.get(key, 0)} device days with a session"
            )
    return problems


def _summed(session: Session, model: type, by_date: bool) -> dict:
    keys = [model.village_kode] + ([model.local_date] if by_date else [])
    found: dict = defaultdict(lambda: (0, 0, 0, 0))
    result = session.execute(
        sa.select(*keys, *(sa.func.sum(getattr(model, name)) for name in SUMMED)).group_by(*keys)
    ).all()
    for row in result:
        key = tuple(row[: len(keys)]) if by_date else row[0]
        found[key] = tuple(int(x or 0) for x in row[len(keys) :])
    return dict(found)
