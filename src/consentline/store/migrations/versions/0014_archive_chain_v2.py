"""archive chain version 2: records written once, their hash without the row id

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 07:00:00

Adds ``chain_version`` to ``messages``, ``message_events`` and ``consent_events``. Records
already there keep it empty and verify with their version 1 hash, as before.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

_TABLES = ("messages", "message_events", "consent_events")


def upgrade() -> None:
    for table in _TABLES:
        # A nullable column with no default: no table rewrite on either database.
        op.add_column(table, sa.Column("chain_version", sa.SmallInteger(), nullable=True))


def downgrade() -> None:
    connection = op.get_bind()
    for table in _TABLES:
        written = connection.execute(
            sa.select(sa.literal(1))
            .select_from(sa.table(table, sa.column("chain_version")))
            .where(sa.column("chain_version").is_not(None))
            .limit(1)
        ).first()
        if written is not None:
            raise RuntimeError(
                f"{table} holds records of archive chain version 2, which only verify with "
                "their chain_version: restore a backup taken before the upgrade instead."
            )
    for table in _TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("chain_version")
