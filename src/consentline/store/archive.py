"""Appending archive records to their conversation's hash chain (see ``archive/chain.py``).

Every archive write goes through ``append``: it reads the conversation's chain head (locking
the row on PostgreSQL, a no-op when the caller already holds the lock, as every event does),
inserts the record with the next sequence number, seals it with its hash and moves the head.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table, insert, select, update

from consentline.archive import chain
from consentline.store.tables import conversations
from consentline.store.types import inserted_id


def append(conn: Connection, table: Table, values: dict[str, Any]) -> int:
    """Insert one archive record at the end of its conversation's chain; returns its id."""
    query = select(conversations.c.chain_length, conversations.c.chain_head).where(
        conversations.c.id == values["conversation_id"]
    )
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    head = conn.execute(query).one()
    seq = int(head.chain_length) + 1
    previous = head.chain_head or genesis_of(conn, int(values["conversation_id"]))
    record_id = inserted_id(conn.execute(insert(table).values(**values, chain_seq=seq)))
    sealed = chain.link(previous, table.name, seq, {**values, "id": record_id})
    conn.execute(update(table).where(table.c.id == record_id).values(chain_hash=sealed))
    conn.execute(
        update(conversations)
        .where(conversations.c.id == values["conversation_id"])
        .values(chain_length=seq, chain_head=sealed)
    )
    return record_id


def genesis_of(conn: Connection, conversation_id: int) -> str:
    columns = [conversations.c[name] for name in chain.CONVERSATION_FIELDS]
    row = conn.execute(select(*columns).where(conversations.c.id == conversation_id)).one()
    return chain.genesis(row._mapping)
