"""Appending archive records to their conversation's hash chain (see ``archive/chain.py``).

Every event holds its conversation's lock from start to end, so the chain's head is read
once with the conversation, moved in memory as each record is inserted, and written back
once when the event is done (``close``): the records' hashes in one batch, the new head
with the conversation's other changes. That is one statement per record plus two per
event, instead of four per record.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, Table, bindparam, insert, update

from consentline.archive import chain
from consentline.store.tables import consent_events, conversations, message_events, messages
from consentline.store.types import inserted_id

_ARCHIVE = (messages, message_events, consent_events)
# Built once: SQLAlchemy then reuses each statement's compiled form and cache key.
_INSERT = {table.name: insert(table) for table in _ARCHIVE}
_SEAL = {
    table.name: update(table)
    .where(table.c.id == bindparam("record_id"))
    .values(chain_hash=bindparam("record_hash"))
    for table in _ARCHIVE
}
_UPDATE_CONVERSATION = update(conversations).where(
    conversations.c.id == bindparam("conversation_id")
)


class ArchiveChain:
    """One locked conversation's chain during one event."""

    def __init__(self, conversation: Mapping[str, Any], length: int, head: str | None) -> None:
        self.conversation_id = int(conversation["id"])
        self.length = length
        self.head = head or chain.genesis(conversation)
        self._seals: dict[str, list[dict[str, Any]]] = {}

    def append(self, conn: Connection, table: Table, values: dict[str, Any]) -> int:
        """Insert one record at the end of the chain; returns its id."""
        seq = self.length + 1
        record_id = inserted_id(conn.execute(_INSERT[table.name], {**values, "chain_seq": seq}))
        self.head = chain.link(self.head, table.name, seq, {**values, "id": record_id})
        self.length = seq
        self._seals.setdefault(table.name, []).append(
            {"record_id": record_id, "record_hash": self.head}
        )
        return record_id

    def close(self, conn: Connection, **conversation_values: Any) -> None:
        """Seal the appended records and move the head, with any other conversation columns
        to change in the same statement."""
        for name, seals in self._seals.items():
            conn.execute(_SEAL[name], seals)
        if not self._seals and not conversation_values:
            return
        self._seals = {}
        conn.execute(
            _UPDATE_CONVERSATION,
            {
                "conversation_id": self.conversation_id,
                "chain_length": self.length,
                "chain_head": self.head,
                **conversation_values,
            },
        )
