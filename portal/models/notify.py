"""Where an area's Diskominfo hears about trouble, and the messages sent there."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.storage import Base

KODE = sa.String(13)


class NotifySettings(Base):
    """The channels, thresholds and summary time of one regency (64.01) or province (64).

    The SMTP password and the bot token are stored sealed (`portal.domain.keyring.seal`,
    under a key derived from the installation's secret key), never as plain text.
    """

    __tablename__ = "notify_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    scope_kode: Mapped[str] = mapped_column(KODE, unique=True)
    email_enabled: Mapped[bool] = mapped_column(default=False)
    smtp_host: Mapped[str | None] = mapped_column(sa.String(253))
    smtp_port: Mapped[int] = mapped_column(default=587)
    smtp_starttls: Mapped[bool] = mapped_column(default=True)
    smtp_user: Mapped[str | None] = mapped_column(sa.String(254))
    smtp_password_sealed: Mapped[str | None] = mapped_column(sa.String(600))
    mail_from: Mapped[str | None] = mapped_column(sa.String(254))
    #: Recipients, comma-separated.
    mail_to: Mapped[str | None] = mapped_column(sa.String(1000))
    telegram_enabled: Mapped[bool] = mapped_column(default=False)
    telegram_token_sealed: Mapped[str | None] = mapped_column(sa.String(600))
    telegram_chat_id: Mapped[str | None] = mapped_column(sa.String(64))
    telegram_api_base: Mapped[str] = mapped_column(
        sa.String(253), default="https://api.telegram.org"
    )
    #: A gateway silent for longer than this is reported down.
    silent_minutes: Mapped[int] = mapped_column(default=30)
    #: The daily summary's local time ("17:00" in the area's zone); NULL sends none.
    summary_time: Mapped[str | None] = mapped_column(sa.String(5))
    updated_at: Mapped[datetime]

    __table_args__ = (
        sa.CheckConstraint("smtp_port BETWEEN 1 AND 65535", name="smtp_port"),
        sa.CheckConstraint("silent_minutes BETWEEN 15 AND 10080", name="silent_minutes"),
    )


class Notification(Base):
    """One message for one event on one channel: the outbox.

    The unique (area, channel, event key) makes an event a message once, whoever finds
    it and however often. ``state`` is ``pending`` (not sent yet; ``attempts`` > 0
    means it failed before and waits for ``next_attempt_at``), ``sent`` or ``failed``
    (given up). ``params`` holds names, times and figures as JSON — never a MAC, an
    IP address or a pseudonym.
    """

    __tablename__ = "notification"

    id: Mapped[int] = mapped_column(primary_key=True)
    scope_kode: Mapped[str] = mapped_column(KODE)
    channel: Mapped[str] = mapped_column(sa.String(8))
    event_key: Mapped[str] = mapped_column(sa.String(120))
    kind: Mapped[str] = mapped_column(sa.String(20))
    params: Mapped[str] = mapped_column(sa.Text)
    state: Mapped[str] = mapped_column(sa.String(8), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(index=True)
    last_error: Mapped[str | None] = mapped_column(sa.String(40))
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]

    __table_args__ = (
        sa.UniqueConstraint("scope_kode", "channel", "event_key"),
        sa.CheckConstraint("channel IN ('email', 'telegram')", name="channel"),
        sa.CheckConstraint("state IN ('pending', 'sent', 'failed')", name="state"),
        sa.Index("ix_notification_scope_created", "scope_kode", "created_at"),
    )
