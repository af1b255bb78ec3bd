"""carrier traffic: every notification part kept as received; carrier opt-out sources

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 04:00:00

Adds the ``carrier_parts`` table (each part of a signed carrier notification, with its raw
JSON), the ``optout_source`` column to ``conversations`` and ``consent_events``, and widens
the contact columns to 150 characters for WhatsApp business-scoped user ids.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "carrier_parts",
        sa.Column("id", _ID, nullable=False),
        sa.Column("root_id", _ID, nullable=False),
        sa.Column("carrier", sa.String(length=20), nullable=False),
        sa.Column("part_key", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("part_type", sa.String(length=50), nullable=False),
        sa.Column("provider_message_id", sa.String(length=200), nullable=True),
        sa.Column("line_id", _ID, nullable=True),
        sa.Column("contact", sa.String(length=150), nullable=True),
        sa.Column("sender_id", sa.String(length=150), nullable=True),
        sa.Column("message_id", _ID, nullable=True),
        sa.Column("media_id", sa.String(length=200), nullable=True),
        sa.Column("error_code", sa.String(length=50), nullable=True),
        sa.Column("outcome", sa.String(length=50), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["root_id"], ["orgs.id"], name=op.f("fk_carrier_parts_root_id_orgs")
        ),
        sa.ForeignKeyConstraint(
            ["line_id"], ["lines.id"], name=op.f("fk_carrier_parts_line_id_lines")
        ),
        sa.ForeignKeyConstraint(
            ["message_id"], ["messages.id"], name=op.f("fk_carrier_parts_message_id_messages")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_carrier_parts")),
        sa.UniqueConstraint("root_id", "carrier", "part_key", name="uq_carrier_parts_key"),
    )
    op.create_index("ix_carrier_parts_message", "carrier_parts", ["message_id"], unique=False)
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("optout_source", sa.String(length=100), nullable=True))
        batch_op.alter_column(
            "contact", existing_type=sa.String(length=20), type_=sa.String(length=150)
        )
    with op.batch_alter_table("consent_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("optout_source", sa.String(length=100), nullable=True))
    with op.batch_alter_table("simulator_deliveries", schema=None) as batch_op:
        batch_op.alter_column(
            "contact", existing_type=sa.String(length=20), type_=sa.String(length=150)
        )


def downgrade() -> None:
    with op.batch_alter_table("simulator_deliveries", schema=None) as batch_op:
        batch_op.alter_column(
            "contact", existing_type=sa.String(length=150), type_=sa.String(length=20)
        )
    with op.batch_alter_table("consent_events", schema=None) as batch_op:
        batch_op.drop_column("optout_source")
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.alter_column(
            "contact", existing_type=sa.String(length=150), type_=sa.String(length=20)
        )
        batch_op.drop_column("optout_source")
    op.drop_index("ix_carrier_parts_message", table_name="carrier_parts")
    op.drop_table("carrier_parts")
