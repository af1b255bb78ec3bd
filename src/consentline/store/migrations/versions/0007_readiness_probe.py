"""readiness probe: a table /readyz writes to, to know whether writes can be committed

Revision ID: 0007
Revises: 0005
Create Date: 2026-11-30 04:00:00

Adds ``readiness_probe`` (empty between probes).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "readiness_probe",
        sa.Column("id", Id, nullable=False),
        sa.Column("filler", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_readiness_probe")),
    )


def downgrade() -> None:
    op.drop_table("readiness_probe")
