"""gateway: which version of its router pages it holds and fetched (and when); the
outages a router reports after it reaches the central server again, with the
emergency use it allowed meanwhile (counts only)

Revision ID: 0009
Revises: 0008 (notifications)
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("gateway") as batch:
        batch.add_column(sa.Column("pages_held", sa.String(16), nullable=True))
        batch.add_column(sa.Column("pages_fetched", sa.String(16), nullable=True))
        batch.add_column(sa.Column("pages_fetched_at", sa.DateTime(), nullable=True))
    op.create_table(
        "gateway_outage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("gateway_id", sa.Integer(), nullable=False),
        sa.Column("outage_key", sa.String(length=64), nullable=False),
        sa.Column("village_kode", sa.String(length=13), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=False),
        sa.Column("emergency_logins", sa.Integer(), nullable=False),
        sa.Column("emergency_seconds", sa.BigInteger(), nullable=False),
        sa.Column("emergency_bytes", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("started_at <= ended_at", name=op.f("ck_gateway_outage_period")),
        sa.ForeignKeyConstraint(
            ["gateway_id"],
            ["gateway.id"],
            name=op.f("fk_gateway_outage_gateway_id_gateway"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["village_kode"],
            ["village.kode"],
            name=op.f("fk_gateway_outage_village_kode_village"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gateway_outage")),
        sa.UniqueConstraint(
            "gateway_id", "outage_key", name=op.f("uq_gateway_outage_gateway_id_outage_key")
        ),
    )
    op.create_index(
        "ix_gateway_outage_village_day", "gateway_outage", ["village_kode", "local_date"]
    )
    op.create_index(op.f("ix_gateway_outage_ended_at"), "gateway_outage", ["ended_at"])


def downgrade():
    op.drop_index(op.f("ix_gateway_outage_ended_at"), table_name="gateway_outage")
    op.drop_index("ix_gateway_outage_village_day", table_name="gateway_outage")
    op.drop_table("gateway_outage")
    with op.batch_alter_table("gateway") as batch:
        batch.drop_column("pages_fetched_at")
        batch.drop_column("pages_fetched")
        batch.drop_column("pages_held")
