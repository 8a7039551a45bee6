"""admin: remember the last accepted TOTP time step (a code works only once)

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-22 19:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("admin_user") as batch:
        batch.add_column(sa.Column("totp_last_step", sa.BigInteger(), nullable=True))


def downgrade():
    with op.batch_alter_table("admin_user") as batch:
        batch.drop_column("totp_last_step")
