"""rate limits: the splash's accepts and voucher codes, slowed per client and device

Revision ID: 0007
Revises: 0006 (gateway edge inventory)
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "rate_limit",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("tokens", sa.Float(), nullable=False),
        sa.Column("refilled_at", sa.DateTime(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("blocked_until", sa.DateTime(), nullable=True),
        sa.Column("touched_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_rate_limit")),
    )
    op.create_index(op.f("ix_rate_limit_touched_at"), "rate_limit", ["touched_at"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_rate_limit_touched_at"), table_name="rate_limit")
    op.drop_table("rate_limit")
