"""Usage counters kept up to date as accounting arrives: per device-day and per village.

A unit of work (one accounting batch, one Access-Request batch) gathers its deltas in a
`UsageBatch` and writes them once with `UsageBatch.flush`: one upsert per village hour,
village day and device day, each adding to the stored value in SQL (``x = x + delta``),
so several RADIUS processes sharing a PostgreSQL database never lose an increment. Rows
are written table by table in key order, so two processes' transactions never wait on
each other's rows in a circle (a deadlock).

``devices`` counts distinct devices per village and day that were online: it grows by
one when accounting records a device's first session of the day
(`UsageBatch._first_sessions`), whichever server records it; so do ``terms_accepted``
and `TermsAcceptance`, for the terms version RADIUS noted on the device's day. A
device-day row created earlier (RADIUS noting the accepted terms or the voucher) counts
nothing, and an accept that never leads to a session leaves nothing in the figures.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal.domain import clock
from portal.domain.batching import dialect_of
from portal.domain.network.liveness import uptime_bucket
from portal.domain.usage import upserts
from portal.domain.usage.allowance import day_usage
from portal.models import (
    DeviceDay,
    Gateway,
    GatewayUptime,
    UsageDaily,
    UsageHourly,
    Voucher,
)

#: The counters a rollup row carries that accounting and authentication feed.
COUNTERS = (
    "sessions",
    "devices",
    "bytes_down",
    "bytes_up",
    "seconds_online",
    "terms_accepted",
    "vouchers_redeemed",
    "quota_refusals",
)


def _add_counters(session: Session, table: sa.Table, keys: tuple[str, ...], rows: list[dict]):
    """Insert rollup rows, or add their `COUNTERS` to the stored ones."""
    upserts.add_rows(session, table, keys, COUNTERS, rows)


def ensure_device_day(session: Session, *, village_kode: str, day: date, device: str) -> bool:
    """Create the device's counters for the day if missing; True when this call created them.

    The device is not counted among the village's users by this: only its first
    session is (`UsageBatch`).
    """
    stmt = upserts.insert_for(session, DeviceDay.__table__).values(
        village_kode=village_kode,
        local_date=day,
        device=device,
        bytes_total=0,
        seconds_total=0,
        sessions=0,
    )
    # RETURNING tells whether a row was inserted on both backends (rowcount does not).
    inserted = session.execute(stmt.on_conflict_do_nothing().returning(DeviceDay.device))
    return inserted.first() is not None


@dataclass
class UsageBatch:
    """Deltas gathered during one unit of work, written by `flush` in a few statements."""

    hourly: dict[tuple[str, date, int], dict[str, int]] = field(
        default_factory=lambda: defaultdict(lambda: dict.fromkeys(COUNTERS, 0))
    )
    daily: dict[tuple[str, date], dict[str, int]] = field(
        default_factory=lambda: defaultdict(lambda: dict.fromkeys(COUNTERS, 0))
    )
    devices: dict[tuple[str, date, str], dict[str, int]] = field(
        default_factory=lambda: defaultdict(lambda: dict.fromkeys(upserts.DEVICE_FIELDS, 0))
    )
    vouchers: dict[int, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    uptime: set[tuple[int, datetime]] = field(default_factory=set)
    #: Terms acceptances by village, local day and terms version.
    terms: dict[tuple[str, date, int], int] = field(default_factory=lambda: defaultdict(int))
    #: After `flush`: each device-day's bytes and seconds including this batch (read
    #: before the update, plus the batch's growth), for quota enforcement.
    totals: dict[tuple[str, date, str], tuple[int, int]] = field(default_factory=dict)
    #: Buckets already written by this process (shared across batches): a gateway is
    #: marked, and its last_seen_at moved, once per 5-minute bucket, not per packet.
    marked: set[tuple[int, datetime]] | None = None

    def village(self, village_kode: str, timezone: str, at: datetime, **deltas: int) -> None:
        """Add counters to the village's hour and day that contain ``at`` (naive UTC)."""
        local = clock.to_local(at, timezone)
        hour = self.hourly[(village_kode, local.date(), local.hour)]
        day = self.daily[(village_kode, local.date())]
        for name, value in deltas.items():
            hour[name] += value
            day[name] += value

    def device_usage(
        self, village_kode: str, day: date, device: str, *, bytes_: int, seconds: int, sessions: int
    ) -> None:
        """Add usage to a device's day counters (the row is created at flush if needed)."""
        row = self.devices[(village_kode, day, device)]
        row["bytes_total"] += max(0, bytes_)
        row["seconds_total"] += max(0, seconds)
        row["sessions"] += max(0, sessions)

    def voucher_usage(self, voucher_id: int, *, bytes_: int, seconds: int) -> None:
        entry = self.vouchers[voucher_id]
        entry[0] += max(0, bytes_)
        entry[1] += max(0, seconds)

    def terms_accepted(
        self, village_kode: str, timezone: str, at: datetime, version_id: int | None
    ) -> None:
        """Count one acceptance of the terms ``version_id`` (None: no version shown) at
        ``at``: the village's ``terms_accepted`` and `TermsAcceptance` of its local day."""
        self.village(village_kode, timezone, at, terms_accepted=1)
        if version_id is not None:
            self.terms[(village_kode, clock.to_local(at, timezone).date(), version_id)] += 1

    def gateway_seen(self, gateway_id: int, now: datetime) -> None:
        self.uptime.add((gateway_id, uptime_bucket(now)))

    def flush(self, session: Session, timezones: dict[str, str], now: datetime) -> None:
        """Write every gathered delta; ``timezones`` maps village codes to their zone.

        Creating a device's first row of the day also counts it in ``devices`` of the
        village's current hour and day. Raises SQLAlchemyError on database failure.
        """
        self._flush_devices(session, timezones, now)
        if self.vouchers:
            table = Voucher.__table__
            session.connection().execute(
                sa.update(table)
                .where(table.c.id == sa.bindparam("v_id"))
                .values(
                    used_bytes=table.c.used_bytes + sa.bindparam("v_bytes"),
                    used_seconds=table.c.used_seconds + sa.bindparam("v_seconds"),
                ),
                [
                    {"v_id": v, "v_bytes": b, "v_seconds": sec}
                    for v, (b, sec) in sorted(self.vouchers.items())
                ],
            )
        if self.terms:
            session.connection().execute(
                upserts.terms_add_statement(dialect_of(session)),
                [
                    {"village_kode": v, "local_date": d, "terms_version_id": t, "count": n}
                    for (v, d, t), n in sorted(self.terms.items())
                ],
            )
        _add_counters(
            session,
            UsageHourly.__table__,
            ("village_kode", "local_date", "local_hour"),
            [
                {"village_kode": v, "local_date": d, "local_hour": h, **c}
                for (v, d, h), c in sorted(self.hourly.items())
                if any(c.values())
            ],
        )
        _add_counters(
            session,
            UsageDaily.__table__,
            ("village_kode", "local_date"),
            [
                {"village_kode": v, "local_date": d, **c}
                for (v, d), c in sorted(self.daily.items())
                if any(c.values())
            ],
        )
        self._flush_uptime(session, now)
        self.hourly.clear()
        self.daily.clear()
        self.devices.clear()
        self.vouchers.clear()
        self.terms.clear()
        self.uptime.clear()

    def _flush_devices(self, session: Session, timezones: dict[str, str], now: datetime) -> None:
        """Create missing device-day rows, count the devices seen online for the first
        time today (their first session), then add all usage in one executemany UPDATE."""
        if not self.devices:
            return
        existing = day_usage(session, list(self.devices))
        missing = sorted(self.devices.keys() - existing.keys())
        if missing:
            # One INSERT for every new device (a row another process created meanwhile
            # is left alone: the UPDATE below adds to it).
            session.connection().execute(
                upserts.device_insert_statement(dialect_of(session)),
                [
                    {
                        "village_kode": v,
                        "local_date": d,
                        "device": dev,
                        "bytes_total": 0,
                        "seconds_total": 0,
                        "sessions": 0,
                    }
                    for v, d, dev in missing
                ],
            )
        first = self._first_sessions(session)
        for (village_kode, _day, _device), terms_version_id in first.items():
            self.village(village_kode, timezones[village_kode], now, devices=1)
            if terms_version_id is not None:  # the terms it accepted led to a login
                self.terms_accepted(village_kode, timezones[village_kode], now, terms_version_id)
        for key, values in self.devices.items():
            before = existing.get(key)
            self.totals[key] = (
                (before.bytes_total if before else 0) + values["bytes_total"],
                (before.seconds_total if before else 0) + values["seconds_total"],
            )
        rows = [
            {
                "k_v": v,
                "k_d": d,
                "k_dev": dev,
                **{f"d_{k}": n for k, n in values.items()},
                "d_sessions": values["sessions"] - ((v, d, dev) in first),
            }
            for (v, d, dev), values in sorted(self.devices.items())
            if any(values.values())
        ]
        if rows:
            session.connection().execute(upserts.DEVICE_UPDATE, rows)

    def _first_sessions(self, session: Session) -> dict[tuple[str, date, str], int | None]:
        """Give the device-days that had no session yet their first one; returns them,
        each with the terms version RADIUS noted on it (None: none).

        A device is one of the village's users on a day once it is online: accepted
        by RADIUS and seen in accounting (its first session), not when a page was
        accepted or a grant issued; and the terms it accepted count then, once. One
        conditional UPDATE decides it, so of two servers recording a device's first
        sessions at once only one counts it (on PostgreSQL the second waits for the
        row and then finds ``sessions`` > 0).
        """
        keys = sorted(key for key, values in self.devices.items() if values["sessions"] > 0)
        if not keys:
            return {}
        table = DeviceDay.__table__
        found = session.connection().execute(
            sa.update(table)
            .where(
                sa.tuple_(table.c.village_kode, table.c.local_date, table.c.device).in_(keys),
                table.c.sessions == 0,
            )
            .values(sessions=1)
            .returning(
                table.c.village_kode, table.c.local_date, table.c.device, table.c.terms_version_id
            )
        )
        return {(v, d, dev): terms for v, d, dev, terms in found}

    def _flush_uptime(self, session: Session, now: datetime) -> None:
        new = self.uptime - self.marked if self.marked is not None else self.uptime
        if not new:
            return
        stmt = upserts.insert_for(session, GatewayUptime.__table__).on_conflict_do_nothing()
        session.execute(stmt, [{"gateway_id": g, "bucket_start": b} for g, b in sorted(new)])
        if self.marked is not None:
            if len(self.marked) > 100_000:
                self.marked.clear()
            self.marked.update(new)
        gateway_ids = sorted({g for g, _ in new})
        session.execute(
            sa.update(Gateway)
            .where(Gateway.id.in_(gateway_ids))
            .where(sa.or_(Gateway.last_seen_at.is_(None), Gateway.last_seen_at < now))
            .values(last_seen_at=now)
        )


def add_village_counts(
    session: Session, *, village_kode: str, day: date, hour: int, **deltas: int
) -> None:
    """Add ``deltas`` (e.g. ``terms_accepted=1``) to a village's hour and day rollups.

    Raises KeyError for a name that is not one of `COUNTERS`.
    """
    counts = dict.fromkeys(COUNTERS, 0)
    for name, value in deltas.items():
        if name not in counts:
            raise KeyError(name)
        counts[name] = value
    key = {"village_kode": village_kode, "local_date": day}
    _add_counters(
        session,
        UsageHourly.__table__,
        ("village_kode", "local_date", "local_hour"),
        [{**key, "local_hour": hour, **counts}],
    )
    _add_counters(
        session, UsageDaily.__table__, ("village_kode", "local_date"), [{**key, **counts}]
    )
