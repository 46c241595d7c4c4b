"""partner outbox and webhook deliveries

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "webhook",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("partner_id", sa.BigInteger(), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("secret", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partner.id"],
            name=op.f("fk_webhook_partner_id_partner"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook")),
        sa.UniqueConstraint("partner_id", name=op.f("uq_webhook_partner_id")),
    )
    op.create_table(
        "outbox_item",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("partner_id", sa.BigInteger(), nullable=False),
        sa.Column("kinds", sa.String(length=32), nullable=False),
        sa.Column("acknowledgment_id", sa.BigInteger(), nullable=True),
        sa.Column("interchange_id", sa.BigInteger(), nullable=True),
        sa.Column("start_offset", sa.BigInteger(), nullable=True),
        sa.Column("end_offset", sa.BigInteger(), nullable=True),
        sa.Column("control_number", sa.String(length=9), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("collected_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("collected_by", sa.String(length=120), nullable=True),
        sa.CheckConstraint(
            "(acknowledgment_id IS NULL) <> (interchange_id IS NULL)",
            name=op.f("ck_outbox_item_one_source"),
        ),
        sa.ForeignKeyConstraint(
            ["acknowledgment_id"],
            ["acknowledgment.id"],
            name=op.f("fk_outbox_item_acknowledgment_id_acknowledgment"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["interchange_id"],
            ["interchange.id"],
            name=op.f("fk_outbox_item_interchange_id_interchange"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partner.id"],
            name=op.f("fk_outbox_item_partner_id_partner"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_item")),
    )
    op.create_index(
        op.f("ix_outbox_item_acknowledgment_id"), "outbox_item", ["acknowledgment_id"], unique=False
    )
    op.create_index(
        op.f("ix_outbox_item_interchange_id"), "outbox_item", ["interchange_id"], unique=False
    )
    op.create_index(op.f("ix_outbox_item_partner_id"), "outbox_item", ["partner_id"], unique=False)
    op.create_index(
        "ix_outbox_item_partner_new",
        "outbox_item",
        ["partner_id", "id"],
        unique=False,
        postgresql_where=sa.text("collected_at IS NULL"),
    )
    op.create_table(
        "webhook_delivery",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("outbox_item_id", sa.BigInteger(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("error", sa.String(length=200), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_retry_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["outbox_item_id"],
            ["outbox_item.id"],
            name=op.f("fk_webhook_delivery_outbox_item_id_outbox_item"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_delivery")),
    )
    op.create_index(
        op.f("ix_webhook_delivery_outbox_item_id"),
        "webhook_delivery",
        ["outbox_item_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_webhook_delivery_outbox_item_id"), table_name="webhook_delivery")
    op.drop_table("webhook_delivery")
    op.drop_index(
        "ix_outbox_item_partner_new",
        table_name="outbox_item",
        postgresql_where=sa.text("collected_at IS NULL"),
    )
    op.drop_index(op.f("ix_outbox_item_partner_id"), table_name="outbox_item")
    op.drop_index(op.f("ix_outbox_item_interchange_id"), table_name="outbox_item")
    op.drop_index(op.f("ix_outbox_item_acknowledgment_id"), table_name="outbox_item")
    op.drop_table("outbox_item")
    op.drop_table("webhook")
