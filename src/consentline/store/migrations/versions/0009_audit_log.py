"""audit log: the tamper-evident admin audit log; retired lines

Revision ID: 0009
Revises: 0005
Create Date: 2026-11-30 03:40:00

Adds the ``audit_log`` and ``audit_heads`` tables and the ``retired_at`` column of
``lines``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0007"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", _ID, nullable=False),
        sa.Column("root_id", sa.BigInteger(), nullable=False),
        sa.Column("org_id", sa.BigInteger(), nullable=True),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=400), nullable=False),
        sa.Column("action", sa.String(length=100), nullable=False),
        sa.Column("target_type", sa.String(length=50), nullable=False),
        sa.Column("target_id", sa.String(length=200), nullable=True),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index("uq_audit_log_chain", "audit_log", ["root_id", "seq"], unique=True)
    op.create_index("ix_audit_log_root_at", "audit_log", ["root_id", "at"], unique=False)
    op.create_table(
        "audit_heads",
        sa.Column("root_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("length", sa.Integer(), nullable=False),
        sa.Column("head", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("root_id", name=op.f("pk_audit_heads")),
    )
    with op.batch_alter_table("lines", schema=None) as batch_op:
        batch_op.add_column(sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("lines", schema=None) as batch_op:
        batch_op.drop_column("retired_at")
    op.drop_table("audit_heads")
    op.drop_index("ix_audit_log_root_at", table_name="audit_log")
    op.drop_index("uq_audit_log_chain", table_name="audit_log")
    op.drop_table("audit_log")
