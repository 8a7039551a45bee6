"""reports: covering index for recent daily usage

The overview sums the last 30 days of every village in an area; with rows keyed by
(village, date) that means reading each village's whole history. An index led by the
date, carrying the figures the overview adds up, makes it a range scan of 30 days.

Revision ID: 0004
Revises: 0003 (the admin console)
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_usage_daily_recent",
        "usage_daily",
        ["local_date", "village_kode", "devices", "bytes_down", "bytes_up"],
    )


def downgrade():
    op.drop_index("ix_usage_daily_recent", table_name="usage_daily")
