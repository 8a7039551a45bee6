"""gateway: where the splash lives (router or portal) and its inventory (provider,
backhaul class, contracted Mbps, programme, contract end)

Gateways that exist already keep the portal-hosted splash: their routers carry the old
login page until someone installs the new script. New gateways default to ``router``.

Revision ID: 0006
Revises: 0005 (router orders)
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("gateway") as batch:
        batch.add_column(
            sa.Column("splash_location", sa.String(8), nullable=False, server_default="portal")
        )
        batch.add_column(sa.Column("provider", sa.String(80), nullable=True))
        batch.add_column(sa.Column("backhaul_class", sa.String(10), nullable=True))
        batch.add_column(sa.Column("contracted_mbps", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("programme", sa.String(80), nullable=True))
        batch.add_column(sa.Column("contract_end", sa.Date(), nullable=True))
        batch.create_check_constraint(
            op.f("ck_gateway_splash_location"), "splash_location IN ('router', 'portal')"
        )
        batch.create_check_constraint(
            op.f("ck_gateway_backhaul_class"),
            "backhaul_class IS NULL OR backhaul_class IN ('satellite', 'radio', 'fibre')",
        )
        batch.create_check_constraint(
            op.f("ck_gateway_contracted_mbps"), "contracted_mbps IS NULL OR contracted_mbps > 0"
        )


def downgrade():
    with op.batch_alter_table("gateway") as batch:
        batch.drop_constraint(op.f("ck_gateway_contracted_mbps"), type_="check")
        batch.drop_constraint(op.f("ck_gateway_backhaul_class"), type_="check")
        batch.drop_constraint(op.f("ck_gateway_splash_location"), type_="check")
        for column in (
            "contract_end",
            "programme",
            "contracted_mbps",
            "backhaul_class",
            "provider",
            "splash_location",
        ):
            batch.drop_column(column)
