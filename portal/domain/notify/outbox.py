"""The outbox: one row per event and channel, sent once, retried with backoff.

A round of the worker (`portal.notifier`) calls `enqueue_due` (events become rows; the
unique area/channel/event key makes a second round, or a second worker, add nothing),
then `claim_due` (rows whose time has come are leased for LEASE, so two workers never
send the same row), sends outside any transaction, and reports each outcome with
`record_sent` or `record_failure`. A failing channel is tried again after BACKOFF
(1, 2, 5, 10, 30, then every 60 minutes) until MAX_ATTEMPTS, then the row is ``failed``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal.domain.notify import channels, events
from portal.models import Notification, NotifySettings

PENDING, SENT, FAILED = "pending", "sent", "failed"
#: Shown as "retrying": pending after at least one failure.
RETRYING = "retrying"
LEASE = timedelta(minutes=5)
BACKOFF = tuple(timedelta(minutes=m) for m in (1, 2, 5, 10, 30, 60))
MAX_ATTEMPTS = 8
CLAIM_LIMIT = 50
#: Sent and failed messages are kept this long (the console lists them; returns are
#: matched against down alerts of the last 30 days), then deleted.
KEEP = timedelta(days=90)


@dataclass(frozen=True)
class Delivery:
    """A claimed message: what to send, where (the area's channel) and as which try."""

    id: int
    area_kode: str
    channel: str
    kind: str
    params: dict[str, object]
    attempts: int


def enqueue(session: Session, area: NotifySettings, due: list[events.Event], now: datetime) -> int:
    """Add a pending row per event and enabled channel not queued before; returns how many.

    A second worker adding the same row at the same moment makes this unit of work fail
    on the unique key (IntegrityError); the next round finds the row there.
    """
    names = channels.enabled_channels(area)
    if not due or not names:
        return 0
    queued = {
        tuple(row)
        for row in session.execute(
            sa.select(Notification.channel, Notification.event_key).where(
                Notification.scope_kode == area.scope_kode,
                Notification.event_key.in_([event.key for event in due]),
            )
        )
    }
    added = 0
    for event in due:
        for channel in names:
            if (channel, event.key) in queued:
                continue
            session.add(
                Notification(
                    scope_kode=area.scope_kode, channel=channel, event_key=event.key,
                    kind=event.kind, params=event.params_json(), state=PENDING, attempts=0,
                    next_attempt_at=now, created_at=now,
                )
            )  # fmt: skip
            added += 1
    session.flush()
    return added


def enqueue_due(session: Session, now: datetime) -> int:
    """Queue every area's due events (`events.due_events`); returns the rows added."""
    return sum(
        enqueue(session, area, events.due_events(session, area, now), now)
        for area in channels.all_settings(session)
    )


def claim_due(session: Session, now: datetime, limit: int = CLAIM_LIMIT) -> list[Delivery]:
    """Lease up to ``limit`` pending rows whose time has come; returns them oldest first.

    Each lease is a compare-and-set on ``next_attempt_at``: a row another worker leased
    in between is skipped.
    """
    rows = session.execute(
        sa.select(
            Notification.id, Notification.scope_kode, Notification.channel, Notification.kind,
            Notification.params, Notification.attempts, Notification.next_attempt_at,
        )
        .where(Notification.state == PENDING, Notification.next_attempt_at <= now)
        .order_by(Notification.next_attempt_at, Notification.id)
        .limit(limit)
    ).all()  # fmt: skip
    claimed = []
    for ident, area, channel, kind, params, attempts, due in rows:
        leased = session.execute(
            sa.update(Notification)
            .where(
                Notification.id == ident,
                Notification.state == PENDING,
                Notification.next_attempt_at == due,
            )
            .values(next_attempt_at=now + LEASE)
        )
        if leased.rowcount == 1:
            claimed.append(Delivery(ident, area, channel, kind, json.loads(params), attempts))
    return claimed


def record_sent(session: Session, delivery_id: int, now: datetime) -> None:
    """Mark a delivery sent."""
    session.execute(
        sa.update(Notification)
        .where(Notification.id == delivery_id)
        .values(state=SENT, sent_at=now, attempts=Notification.attempts + 1, last_error=None)
    )


def record_failure(
    session: Session, delivery_id: int, error: str, now: datetime, *, permanent: bool = False
) -> str:
    """Note a failed try with its reason code; returns the row's new state.

    The row waits BACKOFF[attempts] for its next try, or becomes ``failed`` after
    MAX_ATTEMPTS tries or when ``permanent`` (e.g. the channel was switched off).
    """
    row = session.get(Notification, delivery_id)
    if row is None:
        return FAILED
    row.attempts += 1
    row.last_error = error[:40]
    if permanent or row.attempts >= MAX_ATTEMPTS:
        row.state = FAILED
    else:
        row.next_attempt_at = now + BACKOFF[min(row.attempts, len(BACKOFF)) - 1]
    session.flush()
    return row.state


def prune(session: Session, now: datetime) -> int:
    """Delete sent and failed messages older than KEEP; returns how many."""
    result = session.execute(
        sa.delete(Notification).where(
            Notification.state.in_([SENT, FAILED]), Notification.created_at < now - KEEP
        )
    )
    return result.rowcount or 0


def display_state(row: Notification) -> str:
    """``sent``, ``retrying`` (failed before, will try again), ``pending`` or ``failed``."""
    if row.state == PENDING and row.attempts > 0:
        return RETRYING
    return row.state


def recent(session: Session, area_kode: str, limit: int = 30) -> list[Notification]:
    """The area's latest messages, newest first."""
    return list(
        session.scalars(
            sa.select(Notification)
            .where(Notification.scope_kode == area_kode)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(limit)
        )
    )
