"""When a gateway was last heard from: heartbeats, the 5-minute uptime buckets, and
when silence means down.

A router is heard from through its scheduler's heartbeat (every `HEARTBEAT_INTERVAL`,
authenticated by the gateway's own token, compared in constant time) and through any
RADIUS packet. The reports read what is recorded here (`portal.domain.reporting.figures`).
"""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal.domain.network.gateways import UnknownGateway
from portal.models import Gateway, GatewayUptime

#: Routers report in 5-minute buckets (heartbeats, accounting).
UPTIME_BUCKET = timedelta(minutes=5)
#: How often the setup script's scheduler sends the router's heartbeat.
HEARTBEAT_INTERVAL = timedelta(minutes=10)
#: A gateway not heard from for this long is down: two heartbeats missed, and five
#: minutes for the second to arrive late. One heartbeat lost on a satellite link (a
#: normal event there) must not page an officer. Contacts closer together than this mark
#: the buckets between them as heard.
DOWN_AFTER = 2 * HEARTBEAT_INTERVAL + UPTIME_BUCKET
#: Compared against when the name is unknown, so both refusals take the same time.
_NO_TOKEN = secrets.token_urlsafe(32)


def uptime_bucket(now: datetime) -> datetime:
    """The start of the 5-minute bucket that contains ``now``."""
    return now.replace(minute=now.minute - now.minute % 5, second=0, microsecond=0)


def record_heartbeat(
    session: Session, *, nas_identifier: str, token: str, now: datetime
) -> Gateway:
    """Mark a gateway as heard from now (last_seen_at and its uptime bucket).

    Raises UnknownGateway when the name is unknown or the token does not match; both
    cases take the same constant-time comparison.
    """
    gateway = session.scalar(sa.select(Gateway).where(Gateway.nas_identifier == nas_identifier))
    expected = gateway.heartbeat_token if gateway is not None else _NO_TOKEN
    if not hmac.compare_digest(expected.encode(), token.encode()) or gateway is None:
        raise UnknownGateway(nas_identifier)
    previous = gateway.last_seen_at
    if previous is None or previous < now:
        gateway.last_seen_at = now
    for start in heard_buckets(previous, now):
        if session.get(GatewayUptime, (gateway.id, start)) is None:
            session.add(GatewayUptime(gateway_id=gateway.id, bucket_start=start))
    session.flush()
    return gateway


def heard_buckets(previous: datetime | None, now: datetime) -> list[datetime]:
    """The uptime buckets a heartbeat at ``now`` marks: its own, and every one back to
    the gateway's previous contact when that was at most `DOWN_AFTER` earlier (the
    gateway was up in between: a router beating every 10 minutes is up in every
    5-minute bucket, not in every other one). A longer silence stays unheard."""
    current = uptime_bucket(now)
    if previous is None or not now - DOWN_AFTER <= previous <= now:
        return [current]
    start = uptime_bucket(previous)
    return [start + UPTIME_BUCKET * i for i in range((current - start) // UPTIME_BUCKET + 1)]
