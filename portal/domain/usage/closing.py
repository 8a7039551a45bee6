"""How accounting sessions end, and why.

A session is closed by its Stop, by its gateway's Accounting-On/Off (a reboot: none of
its sessions survive), by the stale sweep (its Stop was lost), or when the router
answers a Disconnect-Request that it has no such session. Closing forgets the client IP,
which is kept only while a session is open.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal.domain.network.policies import EffectivePolicy, effective_policy, interim_minutes_for
from portal.domain.usage.sessions import SessionRow
from portal.models import AccountingSession, Gateway

STALE_CAUSE = "Stale-Session"
REBOOT_CAUSE = "NAS-Reboot"
GONE_CAUSE = "Not-On-Router"  # a Disconnect-NAK said Session-Context-Not-Found


def close(row: SessionRow | AccountingSession, *, at: datetime, cause: str) -> None:
    """End an open session in memory at ``at`` (never before it started) for ``cause``.
    Its client IP is forgotten: it is kept only while the session is open."""
    row.stopped_at = max(at, row.started_at)
    row.terminate_cause = cause[:32]
    row.framed_ip = None


def accounting_on(
    session: Session, *, gateway_id: int, event_time: datetime, keep: Iterable[int] = ()
) -> int:
    """Close every open session of a gateway that (re)booted; returns how many.

    A router sends Accounting-On after a reboot and Accounting-Off before a shutdown;
    either way none of its sessions survive, and it never sends their Stops. Leaving
    them open would make residents look online and, for simultaneous-use checks,
    lock them out. The last reported counters stand; the IP is forgotten. ``keep``
    names sessions the unit of work created for requests that come after this one.
    """
    keep = list(keep)
    result = session.execute(
        sa.update(AccountingSession)
        .where(
            AccountingSession.gateway_id == gateway_id,
            AccountingSession.stopped_at.is_(None),
            *([AccountingSession.id.not_in(keep)] if keep else []),
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
    rows: Iterable[SessionRow],
    *,
    gateway_id: int,
    event_time: datetime,
    keep: set[tuple[int, str]] | frozenset = frozenset(),
) -> None:
    """Close, in memory, the loaded rows that `accounting_on` just closed in the database.

    A batch loads its sessions first, applies its requests in order and writes the rows
    back at the end; a session updated in the same batch as its gateway's Accounting-On
    (an Interim-Update queued just before the reboot, a Start) would otherwise be
    written back open. Same values as `accounting_on`, which closed them in the database
    already (what the compare-and-set of `save_sessions` expects to find); ``keep`` as
    there, by key.
    """
    for row in rows:
        key = (row.gateway_id, row.acct_session_id)
        if row.gateway_id == gateway_id and row.stopped_at is None and key not in keep:
            close(row, at=max(row.updated_at, event_time), cause=REBOOT_CAUSE)
            row.changed = True
            if row.loaded is not None:
                row.loaded = (*row.loaded[:3], False)


def close_stale_sessions(session: Session, *, now: datetime, missed: int = 3) -> int:
    """Close open sessions that missed ``missed`` interim updates; returns how many.

    Such a session's Stop was lost (power cut, a router that does not replay queued
    accounting). The interval is the one the gateway's setup script gives its router: the
    village's policy, lengthened for its backhaul class (`interim_minutes_for`: a
    satellite router reports every 15 minutes at least). A session is closed at its last
    update, so no time is invented.
    """
    gateways = session.execute(
        sa.select(AccountingSession.village_kode, Gateway.id, Gateway.backhaul_class)
        .join(Gateway, Gateway.id == AccountingSession.gateway_id)
        .where(AccountingSession.stopped_at.is_(None))
        .distinct()
    ).all()
    closed = 0
    policies: dict[str, EffectivePolicy] = {}
    for village_kode, gateway_id, backhaul_class in gateways:
        policy = policies.get(village_kode) or effective_policy(session, village_kode)
        policies[village_kode] = policy
        interval = interim_minutes_for(policy, backhaul_class) * 60
        cutoff = now - timedelta(seconds=interval * missed)
        result = session.execute(
            sa.update(AccountingSession)
            .where(
                AccountingSession.gateway_id == gateway_id,
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
