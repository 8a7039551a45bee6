"""router orders: an admin's Putuskan and the router's answer, for any worker to show

Revision ID: 0005
Revises: 0004 (report index)
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "router_order",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("gateway_id", sa.Integer(), nullable=False),
        sa.Column("accounting_session_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("requested_by_label", sa.String(length=64), nullable=False),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.Column("outcome", sa.String(length=8), nullable=True),
        sa.Column("error_cause", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["accounting_session_id"],
            ["accounting_session.id"],
            name=op.f("fk_router_order_accounting_session_id_accounting_session"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["gateway_id"],
            ["gateway.id"],
            name=op.f("fk_router_order_gateway_id_gateway"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["admin_user.id"],
            name=op.f("fk_router_order_requested_by_id_admin_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_router_order")),
    )
    op.create_index(
        op.f("ix_router_order_requested_at"), "router_order", ["requested_at"], unique=False
    )


def downgrade():
    op.drop_index(op.f("ix_router_order_requested_at"), table_name="router_order")
    op.drop_table("router_order")
