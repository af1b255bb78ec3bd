"""sso and totp: single sign-on per main organization, TOTP second factor, recovery codes

Revision ID: 0010
Revises: 0005
Create Date: 2026-11-30 03:40:00

Adds the tables ``sso_providers``, ``sign_in_policies``, ``totp_factors`` and
``recovery_codes``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0008"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "sso_providers",
        sa.Column("root_id", _ID, nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("issuer", sa.String(length=500), nullable=False),
        sa.Column("client_id", sa.String(length=500), nullable=False),
        sa.Column("client_secret", sa.String(length=500), nullable=False),
        sa.Column("allowed_domains", sa.JSON(), nullable=False),
        sa.Column("privileges_claim", sa.String(length=100), nullable=True),
        sa.Column("claim_privileges", sa.JSON(), nullable=False),
        sa.Column("create_users", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["root_id"], ["orgs.id"], name=op.f("fk_sso_providers_root_id_orgs")
        ),
        sa.PrimaryKeyConstraint("root_id", name=op.f("pk_sso_providers")),
    )
    op.create_table(
        "sign_in_policies",
        sa.Column("root_id", _ID, nullable=False),
        sa.Column("require_totp", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["root_id"], ["orgs.id"], name=op.f("fk_sign_in_policies_root_id_orgs")
        ),
        sa.PrimaryKeyConstraint("root_id", name=op.f("pk_sign_in_policies")),
    )
    op.create_table(
        "totp_factors",
        sa.Column("user_id", _ID, nullable=False),
        sa.Column("secret", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("enabled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_step", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_totp_factors_user_id_users")
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_totp_factors")),
    )
    op.create_table(
        "recovery_codes",
        sa.Column("id", _ID, nullable=False),
        sa.Column("user_id", _ID, nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_recovery_codes_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_codes")),
    )
    op.create_index(op.f("ix_recovery_codes_user_id"), "recovery_codes", ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_recovery_codes_user_id"), table_name="recovery_codes")
    op.drop_table("recovery_codes")
    op.drop_table("totp_factors")
    op.drop_table("sign_in_policies")
    op.drop_table("sso_providers")
