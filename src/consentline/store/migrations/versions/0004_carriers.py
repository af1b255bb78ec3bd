"""carriers: provider settings per organization; outbox leases and delivery reports

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 18:30:00

Adds the ``provider_settings`` table and these columns to ``outbox``: provider,
lease_owner, lease_until, attempt_started_at, in_doubt, provider_message_id,
delivery_status, delivery_error, delivery_updated_at (and an index on provider and
provider_message_id for the carriers' delivery reports).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "provider_settings",
        sa.Column("root_id", _ID, nullable=False),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column("secrets", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["root_id"], ["orgs.id"], name=op.f("fk_provider_settings_root_id_orgs")
        ),
        sa.PrimaryKeyConstraint("root_id", name=op.f("pk_provider_settings")),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("provider", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("lease_owner", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("attempt_started_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("in_doubt", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("provider_message_id", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("delivery_status", sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column("delivery_error", sa.String(length=100), nullable=True))
        batch_op.add_column(
            sa.Column("delivery_updated_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.create_index(
            "ix_outbox_provider_message_id", ["provider", "provider_message_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_provider_message_id")
        for column in (
            "delivery_updated_at",
            "delivery_error",
            "delivery_status",
            "provider_message_id",
            "in_doubt",
            "attempt_started_at",
            "lease_until",
            "lease_owner",
            "provider",
        ):
            batch_op.drop_column(column)
    op.drop_table("provider_settings")
