"""Accounting: hotspot sessions as routers report them, recorded exactly once.

Routers retransmit accounting until answered, sometimes with a new Identifier and a
larger Acct-Delay-Time, so the packet-level duplicate cache does not catch every
repeat. Idempotency lives here instead: a session is keyed by gateway and
Acct-Session-Id, its counters only grow (a stored value is replaced by a reported one
only when that is larger), and only the growth is added to the device's day and the
village's rollups. A repeat therefore changes nothing.

Octet counters are 32 bits on the wire; a session that moves more than 4 GiB wraps
them and reports the wraps in Acct-*-Gigawords, so the two are always combined.

`record_batch` takes a batch of reports in one unit of work (it only flushes; the
RADIUS server commits before it answers any of them) and returns the orders for the
sessions whose device spent its allowance meanwhile (`portal.domain.usage.orders`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal.domain import clock
from portal.domain.credentials import is_grant_username, parse_class
from portal.domain.network.gateways import AccessPoint
from portal.domain.network.policies import PolicyCache
from portal.domain.pseudonyms import KeyRing
from portal.domain.usage import allowance, orders, rollups
from portal.domain.usage.rollups import UsageBatch
from portal.domain.usage.sessions import (
    SessionRow,
    accounting_on,
    close,
    close_loaded_for_reboot,
    load_sessions,
    save_sessions,
)
from portal.models import LoginGrant, Voucher

START, INTERIM, STOP = "start", "interim", "stop"
#: Acct-Status-Type values (RFC 2866 section 5.1; 7 and 8 RFC 2866 too, 15 RFC 2867).
STATUS_START, STATUS_STOP, STATUS_INTERIM = 1, 2, 3
STATUS_ON, STATUS_OFF, STATUS_FAILED = 7, 8, 15
MAX_ID = 1 << 63  # ids are signed 64-bit in the database
_STATUS_NAMES = {STATUS_START: START, STATUS_STOP: STOP, STATUS_INTERIM: INTERIM}


def combine_gigawords(octets: int, gigawords: int) -> int:
    """The full 64-bit count from a 32-bit octet counter and its wrap count."""
    return (max(0, gigawords) << 32) + max(0, octets)


class AccountingReport(NamedTuple):
    """A verified Accounting-Request as the router sent it; ``mac`` normalised and in
    memory only. ``status`` is the Acct-Status-Type.

    ``input_octets`` are from the client (upload) and ``output_octets`` to the client
    (download), gigawords already combined. RouterOS's manual also says its accounting
    "represents output as traffic from the client point of view" for PPP; for the
    hotspot we follow RFC 2866 until checked on a router with a large download.
    """

    point: AccessPoint
    status: int
    acct_session_id: str | None = None
    mac: str | None = None
    user_name: str | None = None
    class_: bytes | None = None
    session_seconds: int = 0
    input_octets: int = 0
    output_octets: int = 0
    framed_ip: str | None = None
    terminate_cause: str | None = None
    delay_seconds: int = 0


@dataclass
class AccountingContext:
    """What accounting batches share in one process: the pseudonym key ring, the
    policy cache, and what it wrote already (uptime buckets, the local hour of each
    village's last recorded peak of concurrent devices)."""

    keyring: KeyRing = field(default_factory=KeyRing)
    policies: PolicyCache = field(default_factory=PolicyCache)
    uptime_marked: set = field(default_factory=set)
    peak_hours: dict = field(default_factory=dict)


class AccountingUpdate(NamedTuple):
    """One Start, Interim-Update or Stop, already free of personal data.

    ``device`` is the pseudonym under the village's quota key of ``local_date`` (the
    local day of ``event_time``). ``input_octets`` counts from the client (upload),
    ``output_octets`` to the client (download), gigawords combined.
    """

    status: str
    gateway_id: int
    village_kode: str
    timezone: str
    acct_session_id: str
    event_time: datetime
    local_date: date
    device: str | None = None
    session_seconds: int = 0
    input_octets: int = 0
    output_octets: int = 0
    framed_ip: str | None = None
    terminate_cause: str | None = None
    #: The grant username, never a voucher code or MAC.
    user_name: str | None = None
    credential_kind: str = "grant"
    grant_id: int | None = None
    voucher_id: int | None = None


def record(
    update: AccountingUpdate,
    *,
    usage: UsageBatch,
    known: dict[tuple[int, str], SessionRow],
) -> SessionRow:
    """Apply one Start/Interim/Stop idempotently to ``known`` and return the session row.

    ``known`` holds the rows already loaded (`load_sessions`) and gains new ones; write
    them with `save_sessions`. A Stop or Interim for an unknown session creates it (the
    Start was lost); a Start for a known one only fills in what is missing. Usage growth
    goes into ``usage``.
    """
    key = (update.gateway_id, update.acct_session_id)
    row = known.get(key)
    created = row is None
    if row is None:
        row = SessionRow(
            gateway_id=update.gateway_id,
            acct_session_id=update.acct_session_id,
            village_kode=update.village_kode,
            device=update.device,
            local_date=update.local_date,
            credential_kind=update.credential_kind,
            grant_id=update.grant_id,
            voucher_id=update.voucher_id,
            user_name=update.user_name,
            started_at=update.event_time - timedelta(seconds=update.session_seconds),
            updated_at=update.event_time,
        )
        known[key] = row
    grown_in = max(0, update.input_octets - row.input_octets)
    grown_out = max(0, update.output_octets - row.output_octets)
    grown_seconds = max(0, update.session_seconds - row.session_seconds)
    row.input_octets += grown_in
    row.output_octets += grown_out
    row.session_seconds += grown_seconds
    if update.event_time > row.updated_at:
        row.updated_at = update.event_time
    if update.status == INTERIM and (grown_in or grown_out or grown_seconds):
        row.interim_count += 1
    if row.stopped_at is None:
        if update.status == STOP:
            close(row, at=update.event_time, cause=update.terminate_cause or "Unknown")
        elif update.framed_ip:
            row.framed_ip = update.framed_ip
    row.changed = True
    _count(update, usage, created=created, grown=(grown_in, grown_out, grown_seconds))
    return row


def _count(
    update: AccountingUpdate, usage: UsageBatch, *, created: bool, grown: tuple[int, int, int]
) -> None:
    grown_in, grown_out, grown_seconds = grown
    usage.gateway_seen(update.gateway_id, update.event_time)
    usage.village(
        update.village_kode,
        update.timezone,
        update.event_time,
        sessions=1 if created else 0,
        bytes_up=grown_in,
        bytes_down=grown_out,
        seconds_online=grown_seconds,
    )
    if update.device is not None:
        usage.device_usage(
            update.village_kode,
            update.local_date,
            update.device,
            bytes_=grown_in + grown_out,
            seconds=grown_seconds,
            sessions=1 if created else 0,
        )
    if update.voucher_id is not None:
        usage.voucher_usage(update.voucher_id, bytes_=grown_in + grown_out, seconds=grown_seconds)


def record_batch(
    session: Session,
    reports: list[AccountingReport],
    context: AccountingContext,
    *,
    now: datetime,
) -> list[orders.Order]:
    """Record a batch of accounting reports; returns the orders for sessions to enforce.

    Only flushes. Raises SQLAlchemyError when the database fails, in which case the
    caller rolls back and answers none of them.
    """
    usage = UsageBatch(marked=context.uptime_marked)
    keys = [
        (r.point.gateway_id, r.acct_session_id)
        for r in reports
        if r.status in _STATUS_NAMES and r.acct_session_id
    ]
    known = load_sessions(session, keys)
    existing = _existing_credentials(session, reports)
    touched: dict[tuple[str, date, str], list[tuple[SessionRow, AccountingReport]]]
    touched = defaultdict(list)
    timezones = {}
    for report in reports:
        point = report.point
        timezones[point.village_kode] = point.timezone
        # The router's clock is often wrong (no NTP before the uplink is up), so the
        # event time is the arrival minus how long the router says it kept trying.
        event_time = now - timedelta(seconds=min(max(0, report.delay_seconds), 86_400))
        if report.status in (STATUS_ON, STATUS_OFF):
            accounting_on(session, gateway_id=point.gateway_id, event_time=event_time)
            close_loaded_for_reboot(
                known.values(), gateway_id=point.gateway_id, event_time=event_time
            )
            usage.gateway_seen(point.gateway_id, now)
            continue
        status = _STATUS_NAMES.get(report.status)
        if status is None or not report.acct_session_id:
            usage.gateway_seen(point.gateway_id, now)
            continue
        update = _update(session, report, context, status, event_time, existing)
        row = record(update, usage=usage, known=known)
        if status != STOP and update.device is not None and row.stopped_at is None:
            touched[(point.village_kode, update.local_date, update.device)].append((row, report))
    peaks = _peaks_due(session, known, timezones, context, now)
    save_sessions(session, known.values())
    usage.flush(session, timezones, now)
    rollups.record_peaks(session, peaks, now)
    return _over_quota(session, touched, usage.totals, context, now)


def _existing_credentials(
    session: Session, reports: list[AccountingReport]
) -> tuple[set[int], set[int]]:
    """The grant and voucher ids named by the batch's Classes that still exist.

    A Class may name a grant deleted since (a day after it expired) or anything a
    broken router sends; storing such an id would break the foreign key and leave
    the request unanswered for good (found by fuzz/radius_fuzz.py).
    """
    grant_ids, voucher_ids = set(), set()
    for report in reports:
        _, grant_id, voucher_id = parse_class(report.class_)
        if grant_id is not None and grant_id < MAX_ID:
            grant_ids.add(grant_id)
        if voucher_id is not None and voucher_id < MAX_ID:
            voucher_ids.add(voucher_id)
    found: tuple[set[int], set[int]] = (set(), set())
    for ids, column, into in (
        (grant_ids, LoginGrant.id, found[0]),
        (voucher_ids, Voucher.id, found[1]),
    ):
        if ids:
            into.update(session.scalars(sa.select(column).where(column.in_(ids))))
    return found


def _peaks_due(
    session: Session,
    known: dict[tuple[int, str], SessionRow],
    timezones: dict[str, str],
    context: AccountingContext,
    now: datetime,
) -> dict[str, str]:
    """The villages whose peak of concurrent devices may have risen: those where this batch
    opened a session (not saved yet, so no id), and those whose current local hour has
    no peak recorded by this process yet. (Interim-Updates and Stops never raise the
    number of open sessions, and counting them costs a query over all open sessions.)
    The hours are remembered once the batch commits.
    """
    opened = {row.village_kode for row in known.values() if row.id is None}
    due, hours = {}, {}
    for village_kode, timezone in timezones.items():
        hour = clock.to_local(now, timezone).replace(minute=0, second=0, microsecond=0)
        if village_kode in opened or context.peak_hours.get(village_kode) != hour:
            due[village_kode] = timezone
            hours[village_kode] = hour
    if hours:
        remember = context.peak_hours.update
        sa.event.listen(session, "after_commit", lambda _: remember(hours), once=True)
    return due


def _update(
    session: Session,
    report: AccountingReport,
    context: AccountingContext,
    status: str,
    event_time: datetime,
    existing: tuple[set[int], set[int]],
) -> AccountingUpdate:
    point = report.point
    if report.mac is not None:
        day, device = context.keyring.device_for_day(
            session,
            village_kode=point.village_kode,
            timezone=point.timezone,
            mac=report.mac,
            now=event_time,
        )
    else:
        day, device = clock.local_day(event_time, point.timezone), None
    kind, grant_id, voucher_id = parse_class(report.class_)
    user_name = report.user_name
    if user_name is None or not is_grant_username(user_name):
        user_name = None  # never store a voucher code or a MAC
    return AccountingUpdate(
        status=status,
        gateway_id=point.gateway_id,
        village_kode=point.village_kode,
        timezone=point.timezone,
        acct_session_id=report.acct_session_id or "",
        event_time=event_time,
        local_date=day,
        device=device,
        session_seconds=report.session_seconds,
        input_octets=report.input_octets,
        output_octets=report.output_octets,
        framed_ip=report.framed_ip,
        terminate_cause=report.terminate_cause,
        user_name=user_name,
        credential_kind=kind,
        grant_id=grant_id if grant_id in existing[0] else None,
        voucher_id=voucher_id if voucher_id in existing[1] else None,
    )


def _over_quota(
    session: Session,
    touched: dict[tuple[str, date, str], list[tuple[SessionRow, AccountingReport]]],
    totals: dict[tuple[str, date, str], tuple[int, int]],
    context: AccountingContext,
    now: datetime,
) -> list[orders.Order]:
    """Orders for the open sessions of devices whose allowance the batch used up: a
    Disconnect, or a CoA with the throttle rate where the policy throttles.

    ``totals`` are the device-days' bytes and seconds after the batch (`UsageBatch.totals`).
    The user name in an order comes from the packet and lives in memory only.
    """
    found = []
    for key, entries in touched.items():
        used_bytes, used_seconds = totals.get(key, (0, 0))
        row, report = entries[-1]
        voucher = None
        if row.voucher_id is not None:
            voucher = session.get(Voucher, row.voucher_id, populate_existing=True)
        left = allowance.compute(
            context.policies.get(session, key[0]),
            allowance.DayUsage(used_bytes, used_seconds, None, row.voucher_id),
            voucher,
            now=now,
            timezone=report.point.timezone,
        )
        if not left.exhausted:
            continue
        action = orders.THROTTLE if left.throttled else orders.DISCONNECT
        seen = set()
        for row, report in entries:
            if row.id in seen:
                continue
            seen.add(row.id)
            found.append(
                orders.order_for(
                    gateway_id=row.gateway_id,
                    session_id=row.id,
                    acct_session_id=row.acct_session_id,
                    user_name=report.user_name,
                    framed_ip=row.framed_ip,
                    action=action,
                    rate_limit=left.rate_limit,
                )
            )
    return found
