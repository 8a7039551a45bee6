"""What lets a device on: pseudonym keys, one-time login grants and vouchers."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.network import KODE
from portal.storage import Base


class PseudonymKey(Base):
    """A random HMAC key for one purpose and one window.

    Device pseudonyms are HMAC-SHA256(key, MAC). When a key is destroyed (its window
    ended plus a grace period), rows carrying its pseudonyms can no longer be linked to
    a device or to each other across windows.
    """

    __tablename__ = "pseudonym_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: "quota" (per village and local day) or "voucher" (per voucher batch).
    purpose: Mapped[str] = mapped_column(sa.String(16))
    #: e.g. "64.01.01.2009/2026-11-22" for a quota window, "batch/12" for vouchers.
    window: Mapped[str] = mapped_column(sa.String(64))
    key: Mapped[bytes] = mapped_column(sa.LargeBinary(32))
    created_at: Mapped[datetime]
    destroy_after: Mapped[datetime] = mapped_column(index=True)

    __table_args__ = (sa.UniqueConstraint("purpose", "window"),)


class LoginGrant(Base):
    """A one-time credential the portal issues after the terms were accepted.

    The password is never stored: it is derived from the username with the server's
    grant key, so the RADIUS server can check CHAP without a cleartext column.
    """

    __tablename__ = "login_grant"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(32), unique=True)
    gateway_id: Mapped[int] = mapped_column(sa.ForeignKey("gateway.id", ondelete="CASCADE"))
    village_kode: Mapped[str] = mapped_column(sa.ForeignKey("village.kode"))
    device: Mapped[str] = mapped_column(sa.String(64))
    local_date: Mapped[date]
    voucher_id: Mapped[int | None] = mapped_column(sa.ForeignKey("voucher.id", ondelete="SET NULL"))
    terms_version_id: Mapped[int | None] = mapped_column(sa.ForeignKey("terms_version.id"))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)
    used_at: Mapped[datetime | None]


class VoucherBatch(Base):
    """Voucher codes printed together for one village, with one allowance."""

    __tablename__ = "voucher_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    village_kode: Mapped[str] = mapped_column(sa.ForeignKey("village.kode"), index=True)
    label: Mapped[str] = mapped_column(sa.String(80), default="")
    valid_days: Mapped[int]
    #: The holder's allowance replaces the village policy: per day and/or in total
    #: over the validity (NULL = no limit of that kind).
    daily_mb: Mapped[int | None]
    daily_minutes: Mapped[int | None]
    total_mb: Mapped[int | None]
    total_minutes: Mapped[int | None]
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("admin_user.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    voided_at: Mapped[datetime | None]

    vouchers: Mapped[list[Voucher]] = relationship(back_populates="batch")

    __table_args__ = (sa.CheckConstraint("valid_days BETWEEN 1 AND 366", name="valid_days"),)


class Voucher(Base):
    """One printed code. Only a keyed hash of the code is stored."""

    __tablename__ = "voucher"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(sa.ForeignKey("voucher_batch.id", ondelete="CASCADE"))
    serial: Mapped[int]
    code_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    #: Pseudonym of the first device that used it (voucher-binding key of the batch).
    bound_device: Mapped[str | None] = mapped_column(sa.String(64))
    first_used_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
    used_bytes: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    used_seconds: Mapped[int] = mapped_column(sa.BigInteger, default=0)

    batch: Mapped[VoucherBatch] = relationship(back_populates="vouchers")

    __table_args__ = (sa.UniqueConstraint("batch_id", "serial"),)


__all__ = ["KODE", "LoginGrant", "PseudonymKey", "Voucher", "VoucherBatch"]


class RateLimit(Base):
    """How fast one client may go: a token bucket and a run of failures.

    ``key`` is an HMAC of what is limited (the splash's accepts or voucher codes), the
    gateway and a client address or device pseudonym: never the address or MAC itself.
    One row per key however hard it is hammered; rows idle for a day are deleted.
    ``version`` makes each change a compare-and-set, so workers never lose a count.
    """

    __tablename__ = "rate_limit"

    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    tokens: Mapped[float] = mapped_column(sa.Float)
    refilled_at: Mapped[datetime]
    failures: Mapped[int] = mapped_column(default=0)
    blocked_until: Mapped[datetime | None]
    touched_at: Mapped[datetime] = mapped_column(index=True)
    version: Mapped[int] = mapped_column(default=0)
