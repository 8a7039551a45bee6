"""Accounting: hotspot sessions as routers report them, recorded exactly once.

A report is turned into an update free of personal data (the MAC becomes the day's
device pseudonym; only a grant's user name is kept, never a voucher code or a MAC) and
applied idempotently (`portal.domain.usage.updates`). `record_batch` takes a batch of
reports in one unit of work (it only flushes; the RADIUS server commits before it
answers any of them) and returns the orders for the sessions whose device spent its
allowance meanwhile (`portal.domain.usage.orders`).
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Callable
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
from portal.domain.transactions import take_write_lock
from portal.domain.usage import orders
from portal.domain.usage.closing import accounting_on, close_loaded_for_reboot
from portal.domain.usage.peaks import record_peaks
from portal.domain.usage.rollups import UsageBatch
from portal.domain.usage.sessions import SessionRow, claim_sessions, load_sessions, save_sessions
from portal.domain.usage.updates import INTERIM, START, STOP, AccountingUpdate, new_row, record
from portal.models import LoginGrant, Voucher

#: Acct-Status-Type values (RFC 2866 section 5.1; 7 and 8 RFC 2866 too, 15 RFC 2867).
STATUS_START, STATUS_STOP, STATUS_INTERIM = 1, 2, 3
STATUS_ON, STATUS_OFF, STATUS_FAILED = 7, 8, 15
log = logging.getLogger(__name__)
LOG_EVERY = 60.0  # seconds between two log lines about one gateway's implausible counters
MAX_ID = 1 << 63  # ids are signed 64-bit in the database
_STATUS_NAMES = {STATUS_START: START, STATUS_STOP: STOP, STATUS_INTERIM: INTERIM}


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
    #: Called with a reason code for each implausible counter a committed batch bounded
    #: (`portal.domain.usage.plausibility`); the RADIUS server counts them.
    implausible: Callable[[str], None] = field(default=lambda _reason: None)
    #: Session seconds one second of wall time may account for (1; see
    #: `portal.config.Settings.session_time_factor`).
    time_factor: float = 1.0
    #: When each gateway's implausible counters were last logged.
    implausible_logged: dict = field(default_factory=dict)


def record_batch(
    session: Session,
    reports: list[AccountingReport],
    context: AccountingContext,
    *,
    now: datetime,
) -> list[orders.Order]:
    """Record a batch of accounting reports; returns the orders for sessions to enforce.

    Exactly once whichever server records it: the batch first makes itself the writer
    of its sessions (SQLite's write lock, PostgreSQL's row locks), reads them, creates
    the missing ones with insert-or-nothing, and derives every delta from what the
    database holds; the rows are written back with a compare-and-set in the same
    transaction that adds the deltas. Only flushes. Raises SQLAlchemyError when the
    database fails and SessionChanged when a session changed under it; either way the
    caller rolls back and answers none of them.
    """
    take_write_lock(session)
    usage = UsageBatch(marked=context.uptime_marked)
    existing = _existing_credentials(session, reports)
    timezones = {r.point.village_kode: r.point.timezone for r in reports}
    # The router's clock is often wrong (no NTP before the uplink is up), so the event
    # time is the arrival minus how long the router says it kept trying.
    times = [now - timedelta(seconds=min(max(0, r.delay_seconds), 86_400)) for r in reports]
    updates: list[AccountingUpdate | None] = [None] * len(reports)
    # By village and time: a day's pseudonym key is created (insert-or-nothing) in the
    # same order by every server, so two never wait on each other's new keys in a circle.
    for index in sorted(
        range(len(reports)), key=lambda i: (reports[i].point.village_kode, times[i])
    ):
        report = reports[index]
        status = _STATUS_NAMES.get(report.status)
        if status is not None and report.acct_session_id:
            updates[index] = _update(session, report, context, status, times[index], existing)
    work = list(zip(reports, times, updates, strict=True))  # (report, event time, update)
    known, created = _sessions_for(session, [u for _, _, u in work if u is not None])
    fresh = set(created)  # created by this batch and not yet counted (`record`)
    findings: list[tuple[int, str]] = []
    touched: dict[tuple[str, date, str], list[tuple[SessionRow, AccountingReport]]]
    touched = defaultdict(list)
    for report, event_time, update in work:
        point = report.point
        if report.status in (STATUS_ON, STATUS_OFF):
            accounting_on(
                session, gateway_id=point.gateway_id, event_time=event_time,
                keep=[known[key].id for key in fresh if key[0] == point.gateway_id],
            )  # fmt: skip
            close_loaded_for_reboot(
                known.values(), gateway_id=point.gateway_id, event_time=event_time, keep=fresh
            )
            usage.gateway_seen(point.gateway_id, now)
            continue
        if update is None:
            usage.gateway_seen(point.gateway_id, now)
            continue
        found: list[str] = []
        row = record(
            update, usage=usage, known=known, fresh=fresh, factor=context.time_factor,
            findings=found,
        )  # fmt: skip
        findings.extend((point.gateway_id, reason) for reason in dict.fromkeys(found))
        if update.status != STOP and update.device is not None and row.stopped_at is None:
            touched[(point.village_kode, update.local_date, update.device)].append((row, report))
    peaks = _peaks_due(session, known, created, timezones, context, now)
    save_sessions(session, known.values())
    usage.flush(session, timezones, now)
    record_peaks(session, peaks, now)
    _report(session, findings, context)
    return orders.for_spent_allowances(session, touched, usage.totals, context.policies, now)


def _sessions_for(
    session: Session, updates: list[AccountingUpdate]
) -> tuple[dict[tuple[int, str], SessionRow], set[tuple[int, str]]]:
    """The batch's sessions, every one stored: those that exist (read and locked) and
    those its first update creates (`claim_sessions`; another server may have created
    some meanwhile: they are read like the others). Returns the rows by key and the
    keys this batch created."""
    keys = [(u.gateway_id, u.acct_session_id) for u in updates]
    known = load_sessions(session, keys)
    first: dict[tuple[int, str], AccountingUpdate] = {}
    for key, update in zip(keys, updates, strict=True):
        if key not in known:
            first.setdefault(key, update)
    if not first:
        return known, set()
    fresh = claim_sessions(session, [new_row(update) for update in first.values()])
    known.update(load_sessions(session, list(first)))
    return known, fresh


def _report(session: Session, findings: list[tuple[int, str]], context: AccountingContext) -> None:
    """Once the batch commits, count its implausible counters and log them: gateway and
    reasons only (nothing personal), at most one line a minute per gateway (a broken
    router sends the same nonsense every interim)."""
    if not findings:
        return

    def committed(_session: Session) -> None:
        logged = context.implausible_logged
        reasons: dict[int, list[str]] = defaultdict(list)
        for gateway_id, reason in findings:
            context.implausible(reason)
            if reason not in reasons[gateway_id]:
                reasons[gateway_id].append(reason)
        now = time.monotonic()
        for gateway_id, named in reasons.items():
            if now - logged.get(gateway_id, -LOG_EVERY) >= LOG_EVERY:
                logged[gateway_id] = now
                log.warning("accounting from gateway %d: implausible counters bounded (%s)",
                            gateway_id, ", ".join(named))  # fmt: skip
        if len(logged) > 10_000:
            logged.clear()

    sa.event.listen(session, "after_commit", committed, once=True)


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
    created: set[tuple[int, str]],
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
    opened = {row.village_kode for key, row in known.items() if row.id is None or key in created}
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
