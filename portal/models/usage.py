"""What was used: accounting sessions, per-device-day counters and village rollups.

Nothing here holds a MAC address or a client IP, except `AccountingSession.framed_ip`,
which is kept only while the session is open (a Disconnect-Request needs it) and
cleared when the session closes.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.storage import Base

BIG = sa.BigInteger


class AccountingSession(Base):
    """One hotspot session as the router reported it, shaped like FreeRADIUS's radacct.

    Keyed by gateway and Acct-Session-Id, so a retransmitted Start, Interim or Stop
    updates the same row; counters only grow.
    """

    __tablename__ = "accounting_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    gateway_id: Mapped[int] = mapped_column(sa.ForeignKey("gateway.id", ondelete="CASCADE"))
    acct_session_id: Mapped[str] = mapped_column(sa.String(64))
    village_kode: Mapped[str] = mapped_column(sa.ForeignKey("village.kode"))
    #: Device pseudonym under the village's quota key of `local_date`.
    device: Mapped[str | None] = mapped_column(sa.String(64))
    local_date: Mapped[date]
    #: "grant", "voucher" or "mac": how the device logged in (never the code itself).
    credential_kind: Mapped[str] = mapped_column(sa.String(8), default="grant")
    grant_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("login_grant.id", ondelete="SET NULL")
    )
    voucher_id: Mapped[int | None] = mapped_column(sa.ForeignKey("voucher.id", ondelete="SET NULL"))
    started_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    stopped_at: Mapped[datetime | None] = mapped_column(index=True)
    session_seconds: Mapped[int] = mapped_column(BIG, default=0)
    #: Octets from the client (upload) and to the client (download), gigawords combined.
    input_octets: Mapped[int] = mapped_column(BIG, default=0)
    output_octets: Mapped[int] = mapped_column(BIG, default=0)
    interim_count: Mapped[int] = mapped_column(default=0)
    terminate_cause: Mapped[str | None] = mapped_column(sa.String(32))
    framed_ip: Mapped[str | None] = mapped_column(sa.String(45))
    user_name: Mapped[str | None] = mapped_column(sa.String(64))

    __table_args__ = (
        sa.UniqueConstraint("gateway_id", "acct_session_id"),
        sa.Index("ix_accounting_open", "gateway_id", "stopped_at"),
        sa.Index("ix_accounting_device_day", "village_kode", "local_date", "device"),
        sa.CheckConstraint(
            "stopped_at IS NULL OR framed_ip IS NULL", name="closed_sessions_forget_ip"
        ),
    )


class DeviceDay(Base):
    """How much one (pseudonymous) device used at one village on one local day."""

    __tablename__ = "device_day"

    village_kode: Mapped[str] = mapped_column(sa.ForeignKey("village.kode"), primary_key=True)
    local_date: Mapped[date] = mapped_column(primary_key=True)
    device: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    bytes_total: Mapped[int] = mapped_column(BIG, default=0)
    seconds_total: Mapped[int] = mapped_column(BIG, default=0)
    sessions: Mapped[int] = mapped_column(default=0)
    terms_version_id: Mapped[int | None] = mapped_column(sa.ForeignKey("terms_version.id"))
    voucher_id: Mapped[int | None] = mapped_column(sa.ForeignKey("voucher.id", ondelete="SET NULL"))


class _Counters:
    """The indicators every rollup carries."""

    sessions: Mapped[int] = mapped_column(default=0)
    devices: Mapped[int] = mapped_column(default=0)
    bytes_down: Mapped[int] = mapped_column(BIG, default=0)
    bytes_up: Mapped[int] = mapped_column(BIG, default=0)
    seconds_online: Mapped[int] = mapped_column(BIG, default=0)
    peak_concurrent: Mapped[int] = mapped_column(default=0)
    terms_accepted: Mapped[int] = mapped_column(default=0)
    vouchers_redeemed: Mapped[int] = mapped_column(default=0)
    quota_refusals: Mapped[int] = mapped_column(default=0)


class UsageHourly(_Counters, Base):
    """Village usage for one local clock hour."""

    __tablename__ = "usage_hourly"

    village_kode: Mapped[str] = mapped_column(sa.ForeignKey("village.kode"), primary_key=True)
    local_date: Mapped[date] = mapped_column(primary_key=True)
    local_hour: Mapped[int] = mapped_column(primary_key=True)

    __table_args__ = (sa.CheckConstraint("local_hour BETWEEN 0 AND 23", name="hour"),)


class UsageDaily(_Counters, Base):
    """Village usage for one local day."""

    __tablename__ = "usage_daily"

    village_kode: Mapped[str] = mapped_column(sa.ForeignKey("village.kode"), primary_key=True)
    local_date: Mapped[date] = mapped_column(primary_key=True)

    # The report overview's last-30-days sums read only this index (migration 0004).
    __table_args__ = (
        sa.Index(
            "ix_usage_daily_recent",
            "local_date",
            "village_kode",
            "devices",
            "bytes_down",
            "bytes_up",
        ),
    )


class TermsAcceptance(Base):
    """How many times a terms version was accepted at a village on a day (no personal data)."""

    __tablename__ = "terms_acceptance"

    village_kode: Mapped[str] = mapped_column(sa.ForeignKey("village.kode"), primary_key=True)
    local_date: Mapped[date] = mapped_column(primary_key=True)
    terms_version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("terms_version.id"), primary_key=True
    )
    count: Mapped[int] = mapped_column(default=0)


class RouterOrder(Base):
    """An order sent to a gateway about one session (an admin's Putuskan), and its answer.

    Written when the order is placed and again when the router answers (or does not),
    so any worker can show where it stands. Nothing personal: the session's client IP
    is read from the session when the packet is built, never copied here.
    """

    __tablename__ = "router_order"

    id: Mapped[int] = mapped_column(primary_key=True)
    gateway_id: Mapped[int] = mapped_column(sa.ForeignKey("gateway.id", ondelete="CASCADE"))
    accounting_session_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("accounting_session.id", ondelete="SET NULL")
    )
    #: "disconnect" (Disconnect-Request) or "throttle" (CoA with a rate limit).
    action: Mapped[str] = mapped_column(sa.String(10))
    requested_at: Mapped[datetime] = mapped_column(index=True)
    requested_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("admin_user.id", ondelete="SET NULL")
    )
    requested_by_label: Mapped[str] = mapped_column(sa.String(64))
    answered_at: Mapped[datetime | None]
    #: "ack", "nak", "timeout" or "error"; NULL while the order is on its way.
    outcome: Mapped[str | None] = mapped_column(sa.String(8))
    error_cause: Mapped[int | None]
