"""Accounting: hotspot sessions as routers report them, recorded exactly once.

Routers retransmit accounting until answered, sometimes with a new Identifier and a
larger Acct-Delay-Time, so the packet-level duplicate cache does not catch every
repeat. Idempotency lives here instead: a session is keyed by gateway and
Acct-Session-Id, its counters only grow (a stored value is replaced by a reported one
only when that is larger), and only the growth is added to the device's day and the
village's rollups. A repeat therefore changes nothing.

Octet counters are 32 bits on the wire; a session that moves more than 4 GiB wraps
them and reports the wraps in Acct-*-Gigawords, so the two are always combined.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal.domain.network.policies import effective_policy
from portal.domain.usage.rollups import UsageBatch
from portal.domain.usage.session_rows import SessionRow, load_sessions, save_sessions
from portal.models import AccountingSession

START, INTERIM, STOP = "start", "interim", "stop"
STALE_CAUSE = "Stale-Session"
REBOOT_CAUSE = "NAS-Reboot"
GONE_CAUSE = "Not-On-Router"  # a Disconnect-NAK said Session-Context-Not-Found


def combine_gigawords(octets: int, gigawords: int) -> int:
    """The full 64-bit count from a 32-bit octet counter and its wrap count."""
    return (max(0, gigawords) << 32) + max(0, octets)


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


def close(row: SessionRow | AccountingSession, *, at: datetime, cause: str) -> None:
    """End an open session in memory at ``at`` (never before it started) for ``cause``.
    Its client IP is forgotten: it is kept only while the session is open."""
    row.stopped_at = max(at, row.started_at)
    row.terminate_cause = cause[:32]
    row.framed_ip = None


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


def accounting_on(session: Session, *, gateway_id: int, event_time: datetime) -> int:
    """Close every open session of a gateway that (re)booted; returns how many.

    A router sends Accounting-On after a reboot and Accounting-Off before a shutdown;
    either way none of its sessions survive, and it never sends their Stops. Leaving
    them open would make residents look online and, for simultaneous-use checks,
    lock them out. The last reported counters stand; the IP is forgotten.
    """
    result = session.execute(
        sa.update(AccountingSession)
        .where(
            AccountingSession.gateway_id == gateway_id,
            AccountingSession.stopped_at.is_(None),
        )
        .values(
            stopped_at=sa.case(
                (AccountingSession.updated_at > event_time, AccountingSession.updated_at),
                else_=event_time,
            ),
            terminate_cause=REBOOT_CAUSE,
            framed_ip=None,
        )
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def close_loaded_for_reboot(
    rows: Iterable[SessionRow], *, gateway_id: int, event_time: datetime
) -> None:
    """Close, in memory, the loaded rows that `accounting_on` just closed in the database.

    A batch loads its sessions first, applies its requests in order and writes the rows
    back at the end; a session updated in the same batch as its gateway's Accounting-On
    (an Interim-Update queued just before the reboot, a Start) would otherwise be
    written back open. Same values as `accounting_on`.
    """
    for row in rows:
        if row.gateway_id == gateway_id and row.stopped_at is None:
            close(row, at=max(row.updated_at, event_time), cause=REBOOT_CAUSE)
            row.changed = True


def close_stale_sessions(session: Session, *, now: datetime, missed: int = 3) -> int:
    """Close open sessions that missed ``missed`` interim updates; returns how many.

    Such a session's Stop was lost (power cut, a router that does not replay queued
    accounting). The interval is the village's policy (what its Access-Accepts told the
    router). A session is closed at its last update, so no time is invented.
    """
    villages = session.scalars(
        sa.select(AccountingSession.village_kode)
        .where(AccountingSession.stopped_at.is_(None))
        .distinct()
    ).all()
    closed = 0
    for village_kode in villages:
        interval = effective_policy(session, village_kode).interim_minutes * 60
        cutoff = now - timedelta(seconds=interval * missed)
        result = session.execute(
            sa.update(AccountingSession)
            .where(
                AccountingSession.village_kode == village_kode,
                AccountingSession.stopped_at.is_(None),
                AccountingSession.updated_at < cutoff,
            )
            .values(
                stopped_at=AccountingSession.updated_at,
                terminate_cause=STALE_CAUSE,
                framed_ip=None,
            )
            .execution_options(synchronize_session=False)
        )
        closed += result.rowcount or 0
    return closed


def open_sessions(session: Session, *, village_kode: str, device: str) -> list[AccountingSession]:
    """The device's open sessions at a village (for Disconnect or CoA)."""
    return list(
        session.scalars(
            sa.select(AccountingSession).where(
                AccountingSession.village_kode == village_kode,
                AccountingSession.device == device,
                AccountingSession.stopped_at.is_(None),
            )
        )
    )


__all__ = [
    "INTERIM",
    "START",
    "STOP",
    "AccountingUpdate",
    "SessionRow",
    "accounting_on",
    "close_loaded_for_reboot",
    "close_stale_sessions",
    "combine_gigawords",
    "load_sessions",
    "open_sessions",
    "record",
    "save_sessions",
]
