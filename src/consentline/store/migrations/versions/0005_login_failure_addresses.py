"""login failure addresses: count failed sign-ins per client address as well as per email

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 20:30:00

Adds the ``ip`` column to ``login_failures`` (empty in the rows already there) and an index
on ip and attempted_at.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ip", sa.String(length=64), nullable=True))
        batch_op.create_index("ix_login_failures_ip_time", ["ip", "attempted_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.drop_index("ix_login_failures_ip_time")
        batch_op.drop_column("ip")
