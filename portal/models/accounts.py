"""People and scripts who manage the system, and what they did."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.network import KODE
from portal.storage import Base

ROLES = ("province", "regency", "village")


class AdminUser(Base):
    """A village operator or a Diskominfo officer, scoped by a region code."""

    __tablename__ = "admin_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[str] = mapped_column(sa.String(8))
    scope_kode: Mapped[str] = mapped_column(KODE)
    totp_secret: Mapped[str | None] = mapped_column(sa.String(64))
    #: The TOTP time step last accepted: a code is never accepted twice.
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)
    #: Bumped on logout-everywhere and password change; sessions carry the value they saw.
    session_version: Mapped[int] = mapped_column(default=1)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]
    last_login_at: Mapped[datetime | None]

    __table_args__ = (
        sa.CheckConstraint("role IN ('province', 'regency', 'village')", name="role"),
        sa.CheckConstraint(
            "(role = 'province' AND length(scope_kode) = 2)"
            " OR (role = 'regency' AND length(scope_kode) = 5)"
            " OR (role = 'village' AND length(scope_kode) = 13)",
            name="scope_matches_role",
        ),
    )


class LoginAttempt(Base):
    """A failed admin login, kept 15 minutes for throttling.

    The address is an HMAC with the day's key, never the raw IP.
    """

    __tablename__ = "login_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(64), index=True)
    address_hash: Mapped[str] = mapped_column(sa.String(64), index=True)
    at: Mapped[datetime] = mapped_column(index=True)


class ApiToken(Base):
    """A bearer token for the reports API. Only its SHA-256 is stored."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    scope_kode: Mapped[str] = mapped_column(KODE)
    label: Mapped[str] = mapped_column(sa.String(80), default="")
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class AuditEntry(Base):
    """One administrative action: who did what to which object, and when."""

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("admin_user.id", ondelete="SET NULL")
    )
    #: "cli", a username, or "system"; kept when the account is deleted.
    actor_label: Mapped[str] = mapped_column(sa.String(64))
    action: Mapped[str] = mapped_column(sa.String(64))
    object_type: Mapped[str] = mapped_column(sa.String(32))
    object_id: Mapped[str] = mapped_column(sa.String(64))
    scope_kode: Mapped[str | None] = mapped_column(KODE, index=True)
    detail: Mapped[str] = mapped_column(sa.Text, default="")
