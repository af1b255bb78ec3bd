"""portal: failed sign-in attempts, kept to slow down password guessing

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 18:30:00

Adds the ``login_failures`` table (email, attempted_at) with an index on both.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "login_failures",
        sa.Column("id", _ID, nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failures")),
    )
    op.create_index(
        "ix_login_failures_email_time", "login_failures", ["email", "attempted_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_login_failures_email_time", table_name="login_failures")
    op.drop_table("login_failures")
