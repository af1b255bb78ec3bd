"""compliance: archive hash chain, checkpoints, retention, Salesforce connector

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 18:30:00

Adds columns to existing tables: ``conversations.chain_length`` and
``conversations.chain_head`` (and the report's index ``ix_conversations_report``);
``chain_seq`` and ``chain_hash`` (with a unique index on conversation_id, chain_seq) to
``messages``, ``message_events`` and ``consent_events``. Adds the tables
``archive_checkpoints``, ``archive_checkpoint_entries``, ``archive_retention``,
``salesforce_connections`` and ``salesforce_outbox``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TS = sa.DateTime(timezone=True)
_CHAINED = ("messages", "message_events", "consent_events")


def upgrade() -> None:
    op.add_column(
        "conversations",
        sa.Column("chain_length", sa.Integer(), server_default="0", nullable=False),
    )
    op.add_column("conversations", sa.Column("chain_head", sa.String(length=64), nullable=True))
    op.create_index(
        "ix_conversations_report", "conversations", ["root_id", "mode", "updated_at", "id"]
    )
    for table in _CHAINED:
        op.add_column(table, sa.Column("chain_seq", sa.Integer(), nullable=True))
        op.add_column(table, sa.Column("chain_hash", sa.String(length=64), nullable=True))
        op.create_index(f"uq_{table}_chain", table, ["conversation_id", "chain_seq"], unique=True)

    op.create_table(
        "archive_checkpoints",
        sa.Column("id", _ID, nullable=False),
        sa.Column("root_id", _ID, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("conversation_count", sa.Integer(), nullable=False),
        sa.Column("record_count", sa.BigInteger(), nullable=False),
        sa.Column("entries_digest", sa.String(length=64), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.CheckConstraint("kind IN ('seal','purge')", name=op.f("ck_archive_checkpoints_kind")),
        sa.ForeignKeyConstraint(
            ["root_id"], ["orgs.id"], name=op.f("fk_archive_checkpoints_root_id_orgs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_archive_checkpoints")),
        sa.UniqueConstraint("root_id", "seq", name="uq_archive_checkpoints_root_seq"),
    )
    op.create_table(
        "archive_checkpoint_entries",
        sa.Column("checkpoint_id", _ID, nullable=False),
        sa.Column("conversation_id", _ID, nullable=False),
        sa.Column("chain_seq", sa.Integer(), nullable=False),
        sa.Column("chain_hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["checkpoint_id"],
            ["archive_checkpoints.id"],
            name=op.f("fk_archive_checkpoint_entries_checkpoint_id_archive_checkpoints"),
        ),
        sa.PrimaryKeyConstraint(
            "checkpoint_id", "conversation_id", name=op.f("pk_archive_checkpoint_entries")
        ),
    )
    op.create_index(
        "ix_archive_checkpoint_entries_conversation",
        "archive_checkpoint_entries",
        ["conversation_id"],
    )
    op.create_table(
        "archive_retention",
        sa.Column("root_id", _ID, nullable=False),
        sa.Column("retention_days", sa.Integer(), nullable=False),
        sa.Column("legal_hold", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("legal_hold_reason", sa.Text(), nullable=True),
        sa.Column("updated_by", sa.String(length=200), nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["root_id"], ["orgs.id"], name=op.f("fk_archive_retention_root_id_orgs")
        ),
        sa.PrimaryKeyConstraint("root_id", name=op.f("pk_archive_retention")),
    )
    op.create_table(
        "salesforce_connections",
        sa.Column("root_id", _ID, nullable=False),
        sa.Column("login_url", sa.String(length=300), nullable=False),
        sa.Column("api_version", sa.String(length=10), nullable=False),
        sa.Column("client_id", sa.String(length=300), nullable=False),
        sa.Column("client_secret", sa.String(length=300), nullable=False),
        sa.Column("username", sa.String(length=300), nullable=False),
        sa.Column("password", sa.String(length=300), nullable=False),
        sa.Column("sobject", sa.String(length=100), nullable=False),
        sa.Column("external_id_field", sa.String(length=100), nullable=False),
        sa.Column("enabled", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["root_id"], ["orgs.id"], name=op.f("fk_salesforce_connections_root_id_orgs")
        ),
        sa.PrimaryKeyConstraint("root_id", name=op.f("pk_salesforce_connections")),
    )
    op.create_table(
        "salesforce_outbox",
        sa.Column("consent_event_id", _ID, nullable=False),
        sa.Column("root_id", _ID, nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("next_attempt_at", _TS, nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("salesforce_id", sa.String(length=40), nullable=True),
        sa.Column("sent_at", _TS, nullable=True),
        sa.CheckConstraint(
            "status IN ('pending','sent','dead')", name=op.f("ck_salesforce_outbox_status")
        ),
        sa.ForeignKeyConstraint(
            ["consent_event_id"],
            ["consent_events.id"],
            name=op.f("fk_salesforce_outbox_consent_event_id_consent_events"),
        ),
        sa.ForeignKeyConstraint(
            ["root_id"], ["orgs.id"], name=op.f("fk_salesforce_outbox_root_id_orgs")
        ),
        sa.PrimaryKeyConstraint("consent_event_id", name=op.f("pk_salesforce_outbox")),
    )
    op.create_index("ix_salesforce_outbox_due", "salesforce_outbox", ["status", "next_attempt_at"])


def downgrade() -> None:
    op.drop_index("ix_salesforce_outbox_due", table_name="salesforce_outbox")
    for table in (
        "salesforce_outbox",
        "salesforce_connections",
        "archive_retention",
        "archive_checkpoint_entries",
        "archive_checkpoints",
    ):
        op.drop_table(table)
    for table in _CHAINED:
        op.drop_index(f"uq_{table}_chain", table_name=table)
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("chain_hash")
            batch_op.drop_column("chain_seq")
    op.drop_index("ix_conversations_report", table_name="conversations")
    with op.batch_alter_table("conversations") as batch_op:
        batch_op.drop_column("chain_head")
        batch_op.drop_column("chain_length")
