"""Locking the conversations of a whole batch at once (imports), as ``lock_conversation``
does for one."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from consentline.domain.consent import State
from consentline.store.conversations import ConversationRow, conversation_of
from consentline.store.tables import conversations, holds

ConversationKey = tuple[int, str, str]
"""(line id, contact, channel)"""


def lock_conversations(
    conn: Connection, root_id: int, keys: Sequence[ConversationKey], now: datetime
) -> dict[ConversationKey, ConversationRow]:
    """Many conversations with their held messages, created if new, locked until the
    transaction ends (``lock_conversation`` for a batch: three statements in all).

    Rows are locked in id order, so two batches over the same conversations cannot deadlock;
    a few conversations of the same contacts on other lines may be locked as well."""
    if not keys:
        return {}
    fresh = [
        {
            "line_id": line_id,
            "contact": contact,
            "channel": channel,
            "root_id": root_id,
            "state": State.NONE.value,
            "created_at": now,
            "updated_at": now,
        }
        for line_id, contact, channel in sorted(set(keys))
    ]
    create = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    conn.execute(create(conversations).on_conflict_do_nothing(), fresh)
    query = (
        select(conversations)
        .where(conversations.c.line_id.in_(sorted({k[0] for k in keys})))
        .where(conversations.c.contact.in_(sorted({k[1] for k in keys})))
        .order_by(conversations.c.id)
    )
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    wanted = set(keys)
    rows = [r for r in conn.execute(query) if (r.line_id, r.contact, r.channel) in wanted]
    held: dict[int, list[Any]] = {}
    if rows:
        for hold_row in conn.execute(
            select(
                holds.c.conversation_id, holds.c.message_id, holds.c.created_at, holds.c.recipient
            )
            .where(holds.c.conversation_id.in_([r.id for r in rows]))
            .order_by(holds.c.created_at, holds.c.message_id)
        ):
            held.setdefault(hold_row.conversation_id, []).append(hold_row)
    return {(r.line_id, r.contact, r.channel): conversation_of(r, held.get(r.id, ())) for r in rows}
