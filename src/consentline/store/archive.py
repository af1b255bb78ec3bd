"""Appending archive records to their conversation's hash chain (see ``domain/archive_chain.py``).

Every event holds its conversation's lock from start to end, so the chain's head is read
once with the conversation and moved in memory as records are appended. A record's hash
does not depend on its row id (chain version 2), so each record is written once, already
sealed: a message at once (its id is needed by what follows), status and consent events
together when the event closes (one statement per table), with the new head written in
the same statement as the conversation's other changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, Table, bindparam, insert, update

from consentline.domain import archive_chain as chain
from consentline.store.tables import consent_events, conversations, message_events, messages
from consentline.store.types import inserted_id

_ARCHIVE = (messages, message_events, consent_events)
_TABLES = {table.name: table for table in _ARCHIVE}
# Built once: SQLAlchemy then reuses each statement's compiled form and cache key.
_INSERT = {table.name: insert(table) for table in _ARCHIVE}
_UPDATE_CONVERSATION = update(conversations).where(
    conversations.c.id == bindparam("conversation_id")
)
_DEFERRED = ("message_events", "consent_events")  # foreign keys point back to messages


class ArchiveBatch:
    """Archive records of many locked conversations written together (an import): each
    table's records in one statement and every conversation's head in another."""

    def __init__(self) -> None:
        self._rows: dict[str, list[dict[str, Any]]] = {}
        self._heads: list[dict[str, Any]] = []

    def add(self, table: str, row: dict[str, Any]) -> None:
        self._rows.setdefault(table, []).append(row)

    def move_head(self, values: dict[str, Any]) -> None:
        self._heads.append(values)

    def flush(self, conn: Connection) -> None:
        _insert_rows(conn, self._rows)
        self._rows = {}
        # Conversations change different columns (a record, or only the chain's head):
        # one statement for each set of columns.
        by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for values in self._heads:
            by_columns.setdefault(tuple(sorted(values)), []).append(values)
        for rows in by_columns.values():
            conn.execute(_UPDATE_CONVERSATION, rows)
        self._heads = []


def _insert_rows(conn: Connection, rows: dict[str, list[dict[str, Any]]]) -> None:
    for name in _DEFERRED:
        if rows.get(name):
            conn.execute(_INSERT[name], rows[name])


class ArchiveChain:
    """One locked conversation's chain during one event."""

    def __init__(
        self,
        conversation: Mapping[str, Any],
        length: int,
        head: str | None,
        batch: ArchiveBatch | None = None,
    ) -> None:
        self.conversation_id = int(conversation["id"])
        self.length = length
        self.head = head or chain.genesis(conversation)
        self._pending: dict[str, list[dict[str, Any]]] = {}
        self._batch = batch
        self._moved = False

    def _seal(self, table: Table, values: dict[str, Any]) -> dict[str, Any]:
        seq = self.length + 1
        row = {**values, "chain_seq": seq, "chain_version": chain.VERSION}
        self.head = chain.link(self.head, table.name, seq, row)
        self.length = seq
        self._moved = True
        return {**row, "chain_hash": self.head}

    def append_message(self, conn: Connection, values: dict[str, Any]) -> int:
        """Insert a message at the end of the chain, sealed; returns its id."""
        if self._batch is not None:
            raise ValueError("a batch defers inserts, and a message's id is needed at once")
        return inserted_id(conn.execute(_INSERT["messages"], self._seal(messages, values)))

    def append_event(self, table: Table, values: dict[str, Any]) -> None:
        """Append a status or consent event, sealed; written when the event closes."""
        row = self._seal(table, values)
        if self._batch is not None:
            self._batch.add(table.name, row)
        else:
            self._pending.setdefault(table.name, []).append(row)

    def close(self, conn: Connection, **conversation_values: Any) -> None:
        """Write the appended events and move the head, with any other conversation columns
        to change in the same statement."""
        _insert_rows(conn, self._pending)
        self._pending = {}
        if not self._moved and not conversation_values:
            return
        self._moved = False
        values = {
            "conversation_id": self.conversation_id,
            "chain_length": self.length,
            "chain_head": self.head,
            **conversation_values,
        }
        if self._batch is not None:
            self._batch.move_head(values)
        else:
            conn.execute(_UPDATE_CONVERSATION, values)
