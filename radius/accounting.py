"""Accounting-Request handling: turn verified requests into recorded usage.

Plain records in, plain results out; the writer (radius/accounting_writer.py)
commits the batch before any Accounting-Response is sent.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal.domain import clock
from portal.domain.access import grants
from portal.domain.usage import accounting, quotas, rollups
from portal.domain.usage.rollups import UsageBatch
from portal.models import LoginGrant, Voucher
from radius.clients import Client
from radius.handlers import HandlerContext

STATUS_START, STATUS_STOP, STATUS_INTERIM = 1, 2, 3
STATUS_ON, STATUS_OFF, STATUS_FAILED = 7, 8, 15
MAX_ID = 1 << 63  # ids are signed 64-bit in the database
_STATUS_NAMES = {
    STATUS_START: accounting.START,
    STATUS_STOP: accounting.STOP,
    STATUS_INTERIM: accounting.INTERIM,
}


class AccountingRequest(NamedTuple):
    """A verified Accounting-Request; ``mac`` normalised, in memory only.

    ``input_octets`` are from the client (upload) and ``output_octets`` to the client
    (download), gigawords already combined. RouterOS's manual also says its accounting
    "represents output as traffic from the client point of view" for PPP; for the
    hotspot we follow RFC 2866 until checked on a router with a large download.
    """

    client: Client
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


@dataclass(frozen=True)
class Enforcement:
    """A session to end (``disconnect``) or slow down (``throttle``) because its device's
    quota for the day is spent. ``user_name`` exists only in memory (it may be a code)."""

    gateway_id: int
    session_id: int
    acct_session_id: str
    user_name: str | None
    framed_ip: str | None
    action: str
    rate_limit: str | None = None


def parse_class(value: bytes | None) -> tuple[str, int | None, int | None]:
    """Credential kind, grant id and voucher id from our Class ("wd:g:12", "wd:v:3", "wd:m")."""
    text = (value or b"").decode("ascii", "replace")
    parts = text.split(":")
    if len(parts) == 3 and parts[0] == "wd" and parts[2].isdigit():
        if parts[1] == "g":
            return "grant", int(parts[2]), None
        if parts[1] == "v":
            return "voucher", None, int(parts[2])
    if text == "wd:m":
        return "mac", None, None
    return "grant", None, None


def account_batch(
    session: Session, requests: list[AccountingRequest], ctx: HandlerContext, *, now: datetime
) -> list[Enforcement]:
    """Record a batch of accounting requests and return the sessions to enforce.

    Nothing is committed here. Raises SQLAlchemyError when the database fails, in which
    case the caller rolls back and answers none of them.
    """
    usage = UsageBatch(marked=ctx.uptime_marked)
    keys = [
        (r.client.gateway_id, r.acct_session_id)
        for r in requests
        if r.status in _STATUS_NAMES and r.acct_session_id
    ]
    known = accounting.load_sessions(session, keys)
    existing = _existing_credentials(session, requests)
    touched: dict[tuple[str, object, str], list[tuple[accounting.SessionRow, AccountingRequest]]]
    touched = defaultdict(list)
    timezones = {}
    for request in requests:
        client = request.client
        timezones[client.village_kode] = client.timezone
        # The router's clock is often wrong (no NTP before the uplink is up), so the
        # event time is the arrival minus how long the router says it kept trying.
        event_time = now - timedelta(seconds=min(max(0, request.delay_seconds), 86_400))
        if request.status in (STATUS_ON, STATUS_OFF):
            accounting.accounting_on(session, gateway_id=client.gateway_id, event_time=event_time)
            accounting.close_loaded_for_reboot(
                known.values(), gateway_id=client.gateway_id, event_time=event_time
            )
            usage.gateway_seen(client.gateway_id, now)
            continue
        status = _STATUS_NAMES.get(request.status)
        if status is None or not request.acct_session_id:
            usage.gateway_seen(client.gateway_id, now)
            continue
        update = _update(session, request, ctx, status, event_time, existing)
        row = accounting.record(update, usage=usage, known=known)
        if status != accounting.STOP and update.device is not None and row.stopped_at is None:
            touched[(client.village_kode, update.local_date, update.device)].append((row, request))
    peaks = _peaks_due(session, known, timezones, ctx, now)
    accounting.save_sessions(session, known.values())
    usage.flush(session, timezones, now)
    rollups.record_peaks(session, peaks, now)
    return _over_quota(session, touched, usage.totals, ctx, now)


def _existing_credentials(
    session: Session, requests: list[AccountingRequest]
) -> tuple[set[int], set[int]]:
    """The grant and voucher ids named by the batch's Classes that still exist.

    A Class may name a grant deleted since (a day after it expired) or anything a
    broken router sends; storing such an id would break the foreign key and leave
    the request unanswered for good (found by fuzz/radius_fuzz.py).
    """
    grant_ids, voucher_ids = set(), set()
    for request in requests:
        _, grant_id, voucher_id = parse_class(request.class_)
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
    known: dict[tuple[int, str], accounting.SessionRow],
    timezones: dict[str, str],
    ctx: HandlerContext,
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
        if village_kode in opened or ctx.peak_hours.get(village_kode) != hour:
            due[village_kode] = timezone
            hours[village_kode] = hour
    if hours:
        sa.event.listen(session, "after_commit", lambda _: ctx.peak_hours.update(hours), once=True)
    return due


def _update(
    session: Session,
    request: AccountingRequest,
    ctx: HandlerContext,
    status: str,
    event_time: datetime,
    existing: tuple[set[int], set[int]],
) -> accounting.AccountingUpdate:
    client = request.client
    if request.mac is not None:
        day, device = ctx.keyring.device_for_day(
            session,
            village_kode=client.village_kode,
            timezone=client.timezone,
            mac=request.mac,
            now=event_time,
        )
    else:
        day, device = clock.local_day(event_time, client.timezone), None
    kind, grant_id, voucher_id = parse_class(request.class_)
    if grant_id not in existing[0]:
        grant_id = None
    if voucher_id not in existing[1]:
        voucher_id = None
    user_name = request.user_name
    if user_name is None or not grants.is_grant_username(user_name):
        user_name = None  # never store a voucher code or a MAC
    return accounting.AccountingUpdate(
        status=status,
        gateway_id=client.gateway_id,
        village_kode=client.village_kode,
        timezone=client.timezone,
        acct_session_id=request.acct_session_id or "",
        event_time=event_time,
        local_date=day,
        device=device,
        session_seconds=request.session_seconds,
        input_octets=request.input_octets,
        output_octets=request.output_octets,
        framed_ip=request.framed_ip,
        terminate_cause=request.terminate_cause,
        user_name=user_name,
        credential_kind=kind,
        grant_id=grant_id,
        voucher_id=voucher_id,
    )


def _over_quota(
    session: Session,
    touched: dict[tuple[str, object, str], list[tuple[accounting.SessionRow, AccountingRequest]]],
    totals: dict,
    ctx: HandlerContext,
    now: datetime,
) -> list[Enforcement]:
    """The open sessions of devices whose day quota the batch used up.

    ``totals`` are the device-days' bytes and seconds after the batch (`UsageBatch.totals`).
    """
    if not touched:
        return []
    found = []
    for key, entries in touched.items():
        used_bytes, used_seconds = totals.get(key, (0, 0))
        policy = ctx.policy(session, key[0])
        row, _ = entries[-1]
        voucher = None
        if row.voucher_id is not None:
            voucher = session.get(Voucher, row.voucher_id, populate_existing=True)
        state = quotas.remaining(
            quotas.limits_for(policy, voucher),
            used_bytes=used_bytes,
            used_seconds=used_seconds,
            voucher=voucher,
            now=now,
            timezone=entries[-1][1].client.timezone,
        )
        if not state.exhausted:
            continue
        throttle = policy.on_exhausted == "throttle"
        seen = set()
        for row, request in entries:
            if row.id in seen:
                continue
            seen.add(row.id)
            found.append(
                Enforcement(
                    gateway_id=row.gateway_id,
                    session_id=row.id,
                    acct_session_id=row.acct_session_id,
                    user_name=request.user_name,
                    framed_ip=row.framed_ip,
                    action="throttle" if throttle else "disconnect",
                    rate_limit=policy.throttle_rate if throttle else None,
                )
            )
    return found
