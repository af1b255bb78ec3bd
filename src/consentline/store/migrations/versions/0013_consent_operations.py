"""consent operations: staff and import decisions, four-eyes requests, dossier keys

Revision ID: 0013
Revises: 0005
Create Date: 2026-11-30 03:40:00

Adds ``source`` and ``details`` to ``consent_events`` (empty in the rows already there, which
keeps their chain hashes), and the tables ``consent_requests`` and ``dossier_keys``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("consent_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("details", sa.Text(), nullable=True))
    op.create_table(
        "consent_requests",
        sa.Column("id", _ID, nullable=False),
        sa.Column("root_id", _ID, nullable=False),
        sa.Column("org_id", _ID, nullable=False),
        sa.Column("line_id", _ID, nullable=True),
        sa.Column("contact", sa.String(length=20), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("evidence_url", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("requested_by", sa.String(length=300), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=300), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending','approved','rejected')", name=op.f("ck_consent_requests_status")
        ),
        sa.ForeignKeyConstraint(
            ["line_id"], ["lines.id"], name=op.f("fk_consent_requests_line_id_lines")
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_consent_requests_org_id_orgs")
        ),
        sa.ForeignKeyConstraint(
            ["root_id"], ["orgs.id"], name=op.f("fk_consent_requests_root_id_orgs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_requests")),
    )
    op.create_index(
        "ix_consent_requests_root_status",
        "consent_requests",
        ["root_id", "status", "id"],
        unique=False,
    )
    op.create_table(
        "dossier_keys",
        sa.Column("root_id", _ID, nullable=False),
        sa.Column("private_key", sa.String(length=100), nullable=False),
        sa.Column("public_key", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["root_id"], ["orgs.id"], name=op.f("fk_dossier_keys_root_id_orgs")
        ),
        sa.PrimaryKeyConstraint("root_id", name=op.f("pk_dossier_keys")),
    )


def downgrade() -> None:
    op.drop_table("dossier_keys")
    op.drop_index("ix_consent_requests_root_status", table_name="consent_requests")
    op.drop_table("consent_requests")
    with op.batch_alter_table("consent_events", schema=None) as batch_op:
        batch_op.drop_column("details")
        batch_op.drop_column("source")
