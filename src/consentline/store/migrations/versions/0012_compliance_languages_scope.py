"""compliance past the source: the contact's language, organization-wide opt-outs, and
opt-out confirmations ahead of ordinary traffic

Revision ID: 0012
Revises: 0005
Create Date: 2026-11-30 04:00:00

Adds ``conversations.language`` (the language of the contact's last keyword; empty for
conversations already there, which read the organization's default language), an index on
(root_id, contact) to find a contact's opt-outs on the organization's other lines, and
``outbox.priority`` (0 for the rows already there).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=10), nullable=True))
        batch_op.create_index("ix_conversations_contact", ["root_id", "contact"], unique=False)
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("priority", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("priority")
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_index("ix_conversations_contact")
        batch_op.drop_column("language")
