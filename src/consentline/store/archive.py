"""Appending archive records to their conversation's hash chain (see ``domain/archive_chain.py``).

Every event holds its conversation's lock from start to end, so the chain's head is read
once with the conversation, moved in memory as each record is inserted, and written back
once when the event is done (``close``): the records' hashes in one batch, the new head
with the conversation's other changes. That is one statement per record plus two per
event, instead of four per record.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, Table, bindparam, func, insert, select, text, update

from consentline.domain import archive_chain as chain
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


class ArchiveBatch:
    """Archive records of many locked conversations written together (an import).

    Record ids are taken from the database in advance, so each record's hash is known
    before it is inserted; ``flush`` then inserts each table's records in one statement
    and moves every conversation's head in another, instead of three statements a record.
    Only for records whose rows nothing else in the transaction reads before the flush.
    """

    ORDER = ("messages", "message_events", "consent_events")  # foreign keys point back

    def __init__(self) -> None:
        self._ids: dict[str, deque[int]] = {}
        self._next_sqlite: dict[str, int] = {}
        self._rows: dict[str, list[dict[str, Any]]] = {}
        self._heads: list[dict[str, Any]] = []

    def next_id(self, conn: Connection, table: str, block: int = 500) -> int:
        if conn.dialect.name != "postgresql":
            # SQLite: the write transaction holds the database's one lock since BEGIN.
            if table not in self._next_sqlite:
                found = conn.execute(select(func.max(_TABLES[table].c.id))).scalar()
                self._next_sqlite[table] = int(found or 0)
            self._next_sqlite[table] += 1
            return self._next_sqlite[table]
        ids = self._ids.setdefault(table, deque())
        if not ids:
            ids.extend(
                int(value)
                for value in conn.execute(
                    text(
                        "SELECT nextval(pg_get_serial_sequence(:table, 'id')) "
                        "FROM generate_series(1, :count)"
                    ),
                    {"table": table, "count": block},
                ).scalars()
            )
        return ids.popleft()

    def add(self, table: str, row: dict[str, Any]) -> None:
        self._rows.setdefault(table, []).append(row)

    def move_head(self, values: dict[str, Any]) -> None:
        self._heads.append(values)

    def flush(self, conn: Connection) -> None:
        for name in self.ORDER:
            rows = self._rows.pop(name, [])
            if rows:
                conn.execute(insert(_TABLES[name]), rows)
        # Conversations change different columns (a record, or only the chain's head):
        # one statement for each set of columns.
        by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for values in self._heads:
            by_columns.setdefault(tuple(sorted(values)), []).append(values)
        for rows in by_columns.values():
            conn.execute(_UPDATE_CONVERSATION, rows)
        self._heads = []


_TABLES = {table.name: table for table in _ARCHIVE}


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
        self._seals: dict[str, list[dict[str, Any]]] = {}
        self._batch = batch
        self._batched = False

    def append(self, conn: Connection, table: Table, values: dict[str, Any]) -> int:
        """Insert one record at the end of the chain; returns its id."""
        seq = self.length + 1
        if self._batch is not None:
            record_id = self._batch.next_id(conn, table.name)
            row = {**values, "id": record_id, "chain_seq": seq}
            self.head = chain.link(self.head, table.name, seq, row)
            self.length = seq
            self._batch.add(table.name, {**row, "chain_hash": self.head})
            self._batched = True
            return record_id
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
        if not self._seals and not conversation_values and not self._batched:
            return
        self._seals, self._batched = {}, False
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
