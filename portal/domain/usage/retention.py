"""Retention: raw data is deleted on schedule so that only unlinkable aggregates remain.

What `purge` removes or unlinks, and why:

- accounting sessions older than ``session_retention_days`` (they are rolled up into
  UsageHourly/UsageDaily as they arrive, so nothing in the reports is lost), and the
  per-device-day counters of the same age;
- pseudonym keys whose window ended more than ``key_grace_days`` ago: from then on no
  stored pseudonym can be tied to a MAC address, and two days' pseudonyms of one device
  differ, so the days can't be tied to each other;
- what could still tie two days of one device together once the keys are gone: on
  sessions whose day key is gone, the RADIUS user name, grant and voucher; and once a
  voucher batch has expired and its key grace has passed, the voucher on device-days and
  its ``bound_device``;
- one-time login grants (they hold a pseudonym): unused ones as soon as they expired
  (an accept on the splash that never led to a login leaves no row behind), used ones
  a day later; and old failed-login records.

SQLite runs with ``secure_delete`` (see portal.database), and `portal.maintenance` checkpoints the
write-ahead log afterwards so that deleted rows do not linger there either.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal.config import Settings
from portal.domain.pseudonyms import destroy_expired_keys
from portal.models import (
    AccountingSession,
    DeviceDay,
    LoginAttempt,
    LoginGrant,
    Voucher,
    VoucherBatch,
)

LOGIN_ATTEMPT_LIFETIME = timedelta(days=1)
#: Used one-time grants (they hold a pseudonym) are deleted this long after they
#: expired; unused ones as soon as they expired.
GRANT_AFTERLIFE = timedelta(days=1)


@dataclass(frozen=True)
class PurgeCounts:
    """How many rows each step deleted or unlinked."""

    sessions_deleted: int
    device_days_deleted: int
    keys_destroyed: int
    grants_deleted: int
    sessions_unlinked: int
    vouchers_unlinked: int
    login_attempts_deleted: int

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def purge(session: Session, now: datetime, settings: Settings) -> PurgeCounts:
    """Delete and unlink everything past its retention at ``now``; only flushes.

    Returns the counts. The caller commits (`portal.maintenance.run_purge`).
    """
    cutoff = now - timedelta(days=settings.session_retention_days)
    # A local day D ends by D+1 00:00 UTC in every Indonesian zone (UTC+7 … +9), so its
    # quota key is gone once now ≥ D + 1 day + grace: the newest day certainly unkeyed.
    unkeyed_day = now.date() - timedelta(days=1 + settings.key_grace_days)
    sessions = session.execute(
        sa.delete(AccountingSession).where(
            sa.or_(
                AccountingSession.stopped_at < cutoff,
                # Never closed and silent since the cutoff: the router is long gone.
                sa.and_(
                    AccountingSession.stopped_at.is_(None), AccountingSession.updated_at < cutoff
                ),
            )
        )
    ).rowcount
    device_days = session.execute(
        sa.delete(DeviceDay).where(DeviceDay.local_date < cutoff.date())
    ).rowcount
    keys = destroy_expired_keys(session, now)
    grants = session.execute(
        sa.delete(LoginGrant).where(
            sa.or_(
                LoginGrant.expires_at < now - GRANT_AFTERLIFE,
                # never used: an accept that led to no login leaves nothing behind
                sa.and_(LoginGrant.expires_at < now, LoginGrant.used_at.is_(None)),
            )
        )
    ).rowcount
    expired_batches = sa.select(VoucherBatch.id).where(
        VoucherBatch.expires_at <= now - timedelta(days=settings.key_grace_days)
    )
    expired_vouchers = sa.select(Voucher.id).where(Voucher.batch_id.in_(expired_batches))
    unlinked = session.execute(
        sa.update(AccountingSession)
        .where(
            sa.or_(
                sa.and_(
                    AccountingSession.local_date <= unkeyed_day,
                    sa.or_(
                        AccountingSession.user_name.is_not(None),
                        AccountingSession.voucher_id.is_not(None),
                        AccountingSession.grant_id.is_not(None),
                    ),
                ),
                AccountingSession.voucher_id.in_(expired_vouchers),
            )
        )
        .values(user_name=None, voucher_id=None, grant_id=None)
    ).rowcount
    session.execute(
        sa.update(DeviceDay)
        .where(DeviceDay.voucher_id.in_(expired_vouchers))
        .values(voucher_id=None)
    )
    vouchers = session.execute(
        sa.update(Voucher)
        .where(Voucher.id.in_(expired_vouchers), Voucher.bound_device.is_not(None))
        .values(bound_device=None)
    ).rowcount
    attempts = session.execute(
        sa.delete(LoginAttempt).where(LoginAttempt.at < now - LOGIN_ATTEMPT_LIFETIME)
    ).rowcount
    session.flush()
    return PurgeCounts(
        sessions, device_days, keys, grants, unlinked, vouchers, attempts
    )  # fmt: skip
