"""notifications: per-area channels and thresholds (notify_settings) and the outbox
of messages sent once per event (notification)

Revision ID: 0008
Revises: 0007 (splash rate limit)
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "notify_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope_kode", sa.String(13), nullable=False),
        sa.Column("email_enabled", sa.Boolean(), nullable=False),
        sa.Column("smtp_host", sa.String(253), nullable=True),
        sa.Column("smtp_port", sa.Integer(), nullable=False),
        sa.Column("smtp_starttls", sa.Boolean(), nullable=False),
        sa.Column("smtp_user", sa.String(254), nullable=True),
        sa.Column("smtp_password_sealed", sa.String(600), nullable=True),
        sa.Column("mail_from", sa.String(254), nullable=True),
        sa.Column("mail_to", sa.String(1000), nullable=True),
        sa.Column("telegram_enabled", sa.Boolean(), nullable=False),
        sa.Column("telegram_token_sealed", sa.String(600), nullable=True),
        sa.Column("telegram_chat_id", sa.String(64), nullable=True),
        sa.Column("telegram_api_base", sa.String(253), nullable=False),
        sa.Column("silent_minutes", sa.Integer(), nullable=False),
        sa.Column("summary_time", sa.String(5), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "smtp_port BETWEEN 1 AND 65535", name=op.f("ck_notify_settings_smtp_port")
        ),
        sa.CheckConstraint(
            "silent_minutes BETWEEN 15 AND 10080", name=op.f("ck_notify_settings_silent_minutes")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notify_settings")),
        sa.UniqueConstraint("scope_kode", name=op.f("uq_notify_settings_scope_kode")),
    )
    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope_kode", sa.String(13), nullable=False),
        sa.Column("channel", sa.String(8), nullable=False),
        sa.Column("event_key", sa.String(120), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("params", sa.Text(), nullable=False),
        sa.Column("state", sa.String(8), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("last_error", sa.String(40), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "channel IN ('email', 'telegram')", name=op.f("ck_notification_channel")
        ),
        sa.CheckConstraint(
            "state IN ('pending', 'sent', 'failed')", name=op.f("ck_notification_state")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification")),
        sa.UniqueConstraint(
            "scope_kode",
            "channel",
            "event_key",
            name=op.f("uq_notification_scope_kode_channel_event_key"),
        ),
    )
    op.create_index("ix_notification_scope_created", "notification", ["scope_kode", "created_at"])
    op.create_index(op.f("ix_notification_next_attempt_at"), "notification", ["next_attempt_at"])


def downgrade():
    op.drop_index(op.f("ix_notification_next_attempt_at"), table_name="notification")
    op.drop_index("ix_notification_scope_created", table_name="notification")
    op.drop_table("notification")
    op.drop_table("notify_settings")
