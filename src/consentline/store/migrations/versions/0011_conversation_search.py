"""conversation search: an index per search filter, and full-text search of message bodies

Revision ID: 0011
Revises: 0005
Create Date: 2026-11-30 03:40:00

Adds indexes on conversations for the line, contact, state, channel and last-change
filters; on SQLite an FTS5 table over messages.body kept by triggers (filled from the
messages already there), on PostgreSQL a GIN index on to_tsvector('simple', body).
"""

from __future__ import annotations

from alembic import op

from consentline.store.search_tables import (
    PG_TEXT_INDEX,
    POSTGRES_TEXT_INDEX,
    SQLITE_FTS,
    SQLITE_FTS_DROP,
)

revision = "0011"
down_revision = "0009"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_conversations_root_updated": ["root_id", "updated_at", "id"],
    "ix_conversations_line_updated": ["line_id", "updated_at", "id"],
    "ix_conversations_root_contact": ["root_id", "contact"],
    "ix_conversations_root_state": ["root_id", "state", "updated_at", "id"],
    "ix_conversations_root_channel": ["root_id", "channel", "updated_at", "id"],
}


def upgrade() -> None:
    for name, columns in INDEXES.items():
        op.create_index(name, "conversations", columns, unique=False)
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_FTS:
            op.execute(statement)
    else:
        op.execute(POSTGRES_TEXT_INDEX)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_FTS_DROP:
            op.execute(statement)
    else:
        op.execute(f"DROP INDEX IF EXISTS {PG_TEXT_INDEX}")
    for name in INDEXES:
        op.drop_index(name, table_name="conversations")
