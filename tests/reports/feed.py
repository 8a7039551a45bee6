"""STAND-IN for the RADIUS branch's rollups (portal.domain.usage.rollups), for report tests only.

The RADIUS server keeps UsageHourly, UsageDaily, DeviceDay, AccountingSession and
GatewayUptime current as accounting arrives. Until that branch is merged, `feed`
writes the same tables from a list of finished sessions so the report tests have
something to read. The rules it follows (the report tests' hand-computed figures
depend on them):

- a session belongs to the local day and hour of its start, in the village's zone;
- ``devices`` is the number of distinct pseudonyms in that day (or hour);
- ``peak_concurrent`` is the largest number of that day's (hour's) sessions open at once;
- every session's minutes mark its gateway heard in each 5-minute bucket it spans.

tests/reports/test_end_to_end.py runs the same checks through the real RADIUS server.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from portal.domain import clock
from portal.domain.pseudonyms import KeyRing, normalize_mac
from portal.models import (
    AccountingSession,
    DeviceDay,
    Gateway,
    GatewayUptime,
    UsageDaily,
    UsageHourly,
)


@dataclass(frozen=True)
class Played:
    """One finished hotspot session as a router would report it."""

    gateway: Gateway
    mac: str
    start: datetime  # naive UTC
    minutes: int
    down: int
    up: int
    voucher: bool = False


def feed(session: Session, played: list[Played], *, refusals: dict | None = None) -> None:
    """Write rollups, device-days, accounting rows and uptime buckets for ``played``.

    ``refusals`` maps (village_kode, local_date, hour) to a number of quota refusals.
    """
    ring = KeyRing()
    daily: dict[tuple, dict] = defaultdict(lambda: defaultdict(int))
    hourly: dict[tuple, dict] = defaultdict(lambda: defaultdict(int))
    day_devices: dict[tuple, set] = defaultdict(set)
    hour_devices: dict[tuple, set] = defaultdict(set)
    intervals: dict[tuple, list] = defaultdict(list)
    buckets: set[tuple] = set()
    for number, item in enumerate(played):
        village = item.gateway.village
        day, device = ring.device_for_day(
            session, village_kode=village.kode, timezone=village.timezone,
            mac=normalize_mac(item.mac), now=item.start,
        )  # fmt: skip
        hour = clock.to_local(item.start, village.timezone).hour
        stop = item.start + timedelta(minutes=item.minutes)
        session.add(
            AccountingSession(
                gateway_id=item.gateway.id, acct_session_id=f"s{number}",
                village_kode=village.kode, device=device, local_date=day,
                started_at=item.start, updated_at=stop, stopped_at=stop,
                session_seconds=item.minutes * 60, input_octets=item.up,
                output_octets=item.down, credential_kind="voucher" if item.voucher else "grant",
            )
        )  # fmt: skip
        for key, bucket, seen in (
            ((village.kode, day), daily, day_devices),
            ((village.kode, day, hour), hourly, hour_devices),
        ):
            counters = bucket[key]
            counters["sessions"] += 1
            counters["bytes_down"] += item.down
            counters["bytes_up"] += item.up
            counters["seconds_online"] += item.minutes * 60
            counters["terms_accepted"] += 0 if item.voucher else 1
            counters["vouchers_redeemed"] += 1 if item.voucher else 0
            seen[key].add(device)
        intervals[(village.kode, day)].append((item.start, stop))
        intervals[(village.kode, day, hour)].append((item.start, stop))
        moment = item.start.replace(minute=item.start.minute - item.start.minute % 5, second=0)
        while moment < stop:
            buckets.add((item.gateway.id, moment))
            moment += timedelta(minutes=5)
        device_day = session.get(DeviceDay, (village.kode, day, device)) or DeviceDay(
            village_kode=village.kode, local_date=day, device=device,
            bytes_total=0, seconds_total=0, sessions=0,
        )  # fmt: skip
        device_day.bytes_total += item.down + item.up
        device_day.seconds_total += item.minutes * 60
        device_day.sessions += 1
        session.add(device_day)
        session.flush()
    for (kode, day, hour), count in (refusals or {}).items():
        daily[(kode, day)]["quota_refusals"] += count
        hourly[(kode, day, hour)]["quota_refusals"] += count
    for key, counters in daily.items():
        session.add(
            UsageDaily(village_kode=key[0], local_date=key[1], devices=len(day_devices[key]),
                       peak_concurrent=_peak(intervals.get(key, [])), **_full(counters))
        )  # fmt: skip
    for key, counters in hourly.items():
        session.add(
            UsageHourly(village_kode=key[0], local_date=key[1], local_hour=key[2],
                        devices=len(hour_devices[key]),
                        peak_concurrent=_peak(intervals.get(key, [])), **_full(counters))
        )  # fmt: skip
    for gateway_id, bucket in buckets:
        session.add(GatewayUptime(gateway_id=gateway_id, bucket_start=bucket))
    session.commit()


def _full(counters: dict) -> dict:
    names = ("sessions", "bytes_down", "bytes_up", "seconds_online", "terms_accepted",
             "vouchers_redeemed", "quota_refusals")  # fmt: skip
    return {name: counters.get(name, 0) for name in names}


def _peak(intervals: list[tuple[datetime, datetime]]) -> int:
    events = sorted([(start, 1) for start, _ in intervals] + [(stop, -1) for _, stop in intervals])
    current = peak = 0
    for _, step in events:
        current += step
        peak = max(peak, current)
    return peak
