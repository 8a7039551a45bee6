"""Slowing down whoever hammers the splash or guesses voucher codes, never a village.

A village's phones often reach the portal through one NAT address, so nothing here
ever locks an address out for long. Two mechanisms, one row per key (`RateLimit`):

* **Accepts** that go through (Setuju & Sambungkan, or a voucher that works) draw
  from token buckets: one per (gateway, client address), sized for the evening rush
  of a whole village behind that address (`ADDRESS_ACCEPTS`: 40 at once, then one
  every 3 s, 200 in ten minutes), and one per (gateway, device), sized for a phone (a
  few taps, then one a minute). An empty bucket says how many seconds until the next
  token.
* **Voucher codes** that are well-formed but match no voucher count as failures and
  back off exponentially, like the console's login throttling
  (`portal.domain.accounts.logins`) but growing instead of a fixed lock: per (gateway,
  device) three free tries, then 2 s, 4 s, 8 s, ... up to 15 minutes, on the splash and
  the router's own login page alike (the same daily device pseudonym), so a guesser
  gains nothing by switching; per (gateway, client address) twenty free tries and at
  most 30 s, because the whole village may stand behind it. A code that works clears
  its device's failures; a failure older than an hour is forgotten.

The console's `LoginAttempt` rows (one per failure, a fixed 15-minute lock) would grow
with every request of a flood; here a key has one row whatever comes. Keys are HMACs
under the installation's key (`keyring.derive`), so no raw address or MAC is stored;
rows idle for `FORGET_AFTER` are deleted whenever a new key is written. Each change
is a compare-and-set on ``version``: two workers never lose each other's count.
Functions only flush; they raise `Throttled` with the seconds to wait.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from portal.domain import keyring
from portal.domain.access import vouchers
from portal.domain.batching import dialect_of
from portal.domain.errors import DomainError
from portal.models import RateLimit, Voucher

FORGET_AFTER = timedelta(days=1)
_ATTEMPTS = 5  # compare-and-set rounds before giving up on a key another worker races for


@dataclass(frozen=True)
class Bucket:
    """A token bucket: ``capacity`` requests at once, refilled at ``per_second``."""

    capacity: float
    per_second: float


@dataclass(frozen=True)
class Backoff:
    """Failures that wait longer each time: ``free`` failures cost nothing, then the
    wait starts at ``first`` and doubles, up to ``longest``; a failure ``forget`` old
    starts the count over."""

    free: int
    first: timedelta
    longest: timedelta
    forget: timedelta = timedelta(hours=1)


#: A village behind one NAT address: 40 at once, 20 a minute after that.
ADDRESS_ACCEPTS = Bucket(capacity=40, per_second=1 / 3)
#: One phone: six taps at once (a reload, a second try), then one a minute.
DEVICE_ACCEPTS = Bucket(capacity=6, per_second=1 / 60)
#: One phone's wrong voucher codes: 3 free, then 2 s, 4 s, … up to 15 minutes.
DEVICE_VOUCHERS = Backoff(free=3, first=timedelta(seconds=2), longest=timedelta(minutes=15))
#: A whole village's typos behind one address: 20 free, then 1 s, 2 s, … up to 30 s.
ADDRESS_VOUCHERS = Backoff(free=20, first=timedelta(seconds=1), longest=timedelta(seconds=30))


class Throttled(DomainError):
    """Too fast: ``retry_after`` whole seconds until the next try may succeed;
    ``what`` is "accept" or "voucher" (which limit it was)."""

    def __init__(self, retry_after: int, what: str) -> None:
        super().__init__(f"{what}: retry after {retry_after} s")
        self.retry_after = max(1, retry_after)
        self.what = what


def key(master_key: str, limit: str, gateway_id: int, subject: str) -> str:
    """The row key of ``limit`` ("accept-address", "voucher-device", …) for a gateway and
    a client address or device pseudonym: an HMAC, never the subject itself."""
    return keyring.keyed_hash(
        keyring.derive(master_key, "rate-limit"), f"{limit}|{gateway_id}|{subject}"
    )


def take(session: Session, row_key: str, bucket: Bucket, *, now: datetime) -> None:
    """Take one token from the bucket of ``row_key``. Raises Throttled when it is empty."""
    for _ in range(_ATTEMPTS):
        row = _row(session, row_key, now, initial_tokens=bucket.capacity)
        elapsed = max(0.0, (now - row.refilled_at).total_seconds())
        tokens = min(bucket.capacity, row.tokens + elapsed * bucket.per_second)
        if tokens < 1:
            raise Throttled(math.ceil((1 - tokens) / bucket.per_second), "accept")
        if _swap(session, row_key, row.version, tokens=tokens - 1, refilled_at=now, now=now):
            return
    raise Throttled(1, "accept")  # others keep winning the race for this key: busy


def check(session: Session, row_key: str, *, now: datetime) -> None:
    """Raises Throttled when ``row_key`` must still wait after its failures."""
    blocked_until = session.scalar(
        sa.select(RateLimit.blocked_until).where(RateLimit.key == row_key)
    )
    if blocked_until is not None and blocked_until > now:
        raise Throttled(math.ceil((blocked_until - now).total_seconds()), "voucher")


def fail(session: Session, row_key: str, backoff: Backoff, *, now: datetime) -> None:
    """Count a failure for ``row_key`` and set how long it must wait before the next."""
    for _ in range(_ATTEMPTS):
        row = _row(session, row_key, now, initial_tokens=0.0)
        waiting = row.blocked_until is not None and row.blocked_until > now
        forgotten = now - row.touched_at > backoff.forget and not waiting
        failures = 1 if forgotten else row.failures + 1
        blocked_until = None
        if failures > backoff.free:
            wait = backoff.first * 2 ** min(failures - backoff.free - 1, 30)
            blocked_until = now + min(wait, backoff.longest)
        if _swap(
            session, row_key, row.version, failures=failures, blocked_until=blocked_until, now=now
        ):
            return


def succeed(session: Session, row_key: str, *, now: datetime) -> None:
    """Forget ``row_key``'s failures (the code worked)."""
    session.execute(
        sa.update(RateLimit)
        .where(RateLimit.key == row_key, RateLimit.failures > 0)
        .values(failures=0, blocked_until=None, touched_at=now, version=RateLimit.version + 1)
        .execution_options(synchronize_session=False)
    )


def _row(session: Session, row_key: str, now: datetime, *, initial_tokens: float) -> sa.Row:
    """The key's row as stored now (read afresh, not from the session), created when new."""
    columns = (
        RateLimit.tokens,
        RateLimit.refilled_at,
        RateLimit.failures,
        RateLimit.blocked_until,
        RateLimit.touched_at,
        RateLimit.version,
    )
    query = sa.select(*columns).where(RateLimit.key == row_key)
    found = session.execute(query).one_or_none()
    if found is None:
        _insert(session, row_key, now, initial_tokens)
        found = session.execute(query).one()
    return found


#: A row without failures holds nothing once every bucket would be full again.
REFILLED_AFTER = timedelta(
    seconds=max(b.capacity / b.per_second for b in (ADDRESS_ACCEPTS, DEVICE_ACCEPTS))
)


def forget_idle(session: Session, *, now: datetime) -> int:
    """Delete the rows that no longer change any decision at ``now``: buckets refilled
    with no failures and nothing blocked, and anything idle past `FORGET_AFTER` (so an
    accept that led to no login leaves no row behind once upkeep runs). Only flushes;
    returns how many rows went."""
    refilled = sa.and_(
        RateLimit.touched_at < now - REFILLED_AFTER,
        RateLimit.failures == 0,
        sa.or_(RateLimit.blocked_until.is_(None), RateLimit.blocked_until < now),
    )
    stale = sa.or_(refilled, _idle_too_long(now))
    return session.execute(sa.delete(RateLimit).where(stale)).rowcount


def _idle_too_long(now: datetime) -> sa.ColumnElement[bool]:
    """Rows untouched for `FORGET_AFTER`: whatever they held no longer decides anything."""
    return RateLimit.touched_at < now - FORGET_AFTER


def _insert(session: Session, row_key: str, now: datetime, tokens: float) -> None:
    """Insert a fresh row unless another worker just did; delete rows idle too long."""
    session.execute(sa.delete(RateLimit).where(_idle_too_long(now)))
    values = {
        "key": row_key,
        "tokens": tokens,
        "refilled_at": now,
        "failures": 0,
        "blocked_until": None,
        "touched_at": now,
        "version": 0,
    }
    dialect = postgresql if dialect_of(session) == "postgresql" else sqlite
    session.execute(dialect.insert(RateLimit).values(**values).on_conflict_do_nothing())


def _swap(session: Session, row_key: str, version: int, *, now: datetime, **values: object) -> bool:
    """Write ``values`` if the row is still at ``version``; False when another won."""
    done = session.execute(
        sa.update(RateLimit)
        .where(RateLimit.key == row_key, RateLimit.version == version)
        .values(**values, touched_at=now, version=version + 1)
        .execution_options(synchronize_session=False)
    )
    return done.rowcount == 1


def limit_accept(
    session: Session,
    *,
    master_key: str,
    gateway_id: int,
    client: str,
    device: str,
    now: datetime,
) -> None:
    """Before an accept on the splash from ``client`` (its address, hashed here) for
    ``device``: a token of the device's bucket and one of the address's. Raises Throttled."""
    take(session, key(master_key, "accept-device", gateway_id, device), DEVICE_ACCEPTS, now=now)
    take(session, key(master_key, "accept-address", gateway_id, client), ADDRESS_ACCEPTS, now=now)


def guarded_voucher(
    session: Session,
    find: Callable[[], Voucher],
    *,
    code: str,
    master_key: str,
    gateway_id: int,
    device: str,
    client: str | None,
    now: datetime,
) -> Voucher:
    """``find()``, the usable voucher for ``code`` typed on the splash (``client``: its
    address) or the router's login page (None), guarded: a well-formed code that matches
    no voucher is a guess, counted against the device (and address), which must first
    have waited out their earlier ones. Text that cannot be a code is refused without a
    lookup, so it tells a guesser nothing and costs nothing. A code that works clears
    the device's failures. Raises VoucherRefused (from ``find``), Throttled."""
    limits = {"master_key": master_key, "gateway_id": gateway_id, "device": device}
    guess = vouchers.normalize_code(code) is not None
    if guess:
        check_voucher(session, **limits, client=client, now=now)
    try:
        voucher = find()
    except vouchers.VoucherRefused as refused:
        if guess and refused.reason == "unknown":
            voucher_refused(session, **limits, client=client, now=now)
        raise
    voucher_accepted(session, **limits, now=now)
    return voucher


def voucher_refused(
    session: Session,
    *,
    master_key: str,
    gateway_id: int,
    device: str,
    client: str | None,
    now: datetime,
) -> None:
    """Count a code that matched no voucher against the device (and the address, on the
    splash; the router's login has none)."""
    fail(session, key(master_key, "voucher-device", gateway_id, device), DEVICE_VOUCHERS, now=now)
    if client is not None:
        address_key = key(master_key, "voucher-address", gateway_id, client)
        fail(session, address_key, ADDRESS_VOUCHERS, now=now)


def voucher_accepted(
    session: Session, *, master_key: str, gateway_id: int, device: str, now: datetime
) -> None:
    """A code worked: the device's failures are forgotten."""
    succeed(session, key(master_key, "voucher-device", gateway_id, device), now=now)


def check_voucher(
    session: Session,
    *,
    master_key: str,
    gateway_id: int,
    device: str,
    client: str | None,
    now: datetime,
) -> None:
    """Raises Throttled while the device (or, on the splash, the client address) must
    wait after wrong codes."""
    check(session, key(master_key, "voucher-device", gateway_id, device), now=now)
    if client is not None:
        check(session, key(master_key, "voucher-address", gateway_id, client), now=now)
