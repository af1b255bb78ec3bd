"""Indexes behind the conversation search, and the message full-text index.

One index per search filter, each ending in the sort order (last change, newest first), so a
filtered page is an index range scan. Message text is searched through SQLite FTS5 (an
external-content table kept by triggers) or a PostgreSQL GIN index on ``to_tsvector``; both
live outside the SQLAlchemy metadata (one dialect each) and are named here so that schema
comparisons leave them alone.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Index

from consentline.store.tables import conversations

Index(
    "ix_conversations_root_updated",
    conversations.c.root_id,
    conversations.c.updated_at,
    conversations.c.id,
)
Index(
    "ix_conversations_line_updated",
    conversations.c.line_id,
    conversations.c.updated_at,
    conversations.c.id,
)
Index("ix_conversations_root_contact", conversations.c.root_id, conversations.c.contact)
Index(
    "ix_conversations_root_state",
    conversations.c.root_id,
    conversations.c.state,
    conversations.c.updated_at,
    conversations.c.id,
)
Index(
    "ix_conversations_root_channel",
    conversations.c.root_id,
    conversations.c.channel,
    conversations.c.updated_at,
    conversations.c.id,
)

FTS_TABLE = "messages_fts"
PG_TEXT_INDEX = "ix_messages_body_text"
PG_TEXT_CONFIG = "'simple'::regconfig"
"""No stemming and no stop words, like FTS5's unicode61: both find the same words."""

SQLITE_FTS = (
    "CREATE VIRTUAL TABLE messages_fts USING fts5(body, content='messages', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER messages_fts_ai AFTER INSERT ON messages BEGIN "
    "INSERT INTO messages_fts(rowid, body) VALUES (new.id, new.body); END",
    "CREATE TRIGGER messages_fts_ad AFTER DELETE ON messages BEGIN "
    "INSERT INTO messages_fts(messages_fts, rowid, body) VALUES ('delete', old.id, old.body); END",
    "INSERT INTO messages_fts(messages_fts) VALUES ('rebuild')",
)
SQLITE_FTS_DROP = (
    "DROP TRIGGER IF EXISTS messages_fts_ai",
    "DROP TRIGGER IF EXISTS messages_fts_ad",
    "DROP TABLE IF EXISTS messages_fts",
)
POSTGRES_TEXT_INDEX = (
    f"CREATE INDEX IF NOT EXISTS {PG_TEXT_INDEX} ON messages "
    f"USING gin (to_tsvector({PG_TEXT_CONFIG}, body))"
)


def include_name(name: str | None, type_: str, _parent_names: Any) -> bool:
    """For Alembic's comparisons: skip the full-text objects (FTS5's shadow tables too)."""
    if name is None:
        return True
    if type_ == "table":
        return not name.startswith(FTS_TABLE)
    if type_ == "index":
        return name != PG_TEXT_INDEX
    return True
