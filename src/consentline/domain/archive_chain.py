"""The archive's hash chain: a canonical form of each record and how records link. Pure.

Every archive record (a message, a message status event, a consent event) belongs to one
conversation and takes the next sequence number of that conversation's chain:

    hash(n) = SHA-256(hash(n-1) || "\\n" || canonical(record n))
    hash(0) = genesis(conversation)  -- the conversation's identity

so a record changed, removed, inserted or moved anywhere breaks every hash after it. The
conversation row keeps the chain's length and newest hash, which catches removing the newest
records; organization checkpoints (``archive/checkpoints.py``) catch removing whole
conversations. Chains are per conversation because the conversation is already locked for
every event: no lock is shared between two conversations.

Only the fields listed in ``FIELDS`` are hashed, by name, so columns added later to these
tables never change an existing record's hash.

Version 2 (``chain_version`` = 2, itself hashed) leaves the row id out, so a record's hash
is known before it is inserted and the record is written once, sealed. Records written
before it (no ``chain_version``) keep their version 1 hash, row id included, and verify as
they always did; a version flipped either way no longer matches its hash.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

TABLES = ("messages", "message_events", "consent_events")

FIELDS: dict[str, tuple[str, ...]] = {
    "messages": (
        "id",
        "conversation_id",
        "root_id",
        "sender",
        "recipient",
        "kind",
        "template",
        "body",
        "channel",
        "provider_message_id",
        "group_id",
        "created_at",
    ),
    "message_events": (
        "id",
        "conversation_id",
        "message_id",
        "status",
        "reason",
        "consent_state",
        "created_at",
    ),
    "consent_events": (
        "id",
        "conversation_id",
        "message_id",
        "old_state",
        "new_state",
        "mode",
        "initiated_by",
        "request_text",
        "created_at",
    ),
}

# Hashed only when set, so records written before these columns existed keep their hash:
# where a consent decision came from when it did not come from a message (a staff record,
# an import), and its details as canonical JSON text.
OPTIONAL_FIELDS: dict[str, tuple[str, ...]] = {
    "messages": ("chain_version",),
    "message_events": ("chain_version",),
    "consent_events": ("source", "details", "chain_version"),
}
VERSION = 2
_WITHOUT_ID = {
    table: tuple(name for name in names if name != "id") for table, names in FIELDS.items()
}

CONVERSATION_FIELDS = ("id", "root_id", "line_id", "contact", "channel")


def hashed_fields(table: str) -> tuple[str, ...]:
    """Every column that may take part in a record's hash."""
    return FIELDS[table] + OPTIONAL_FIELDS.get(table, ())


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def _value(value: Any) -> Any:
    kind = type(value)
    if value is None or kind is int or kind is bool:
        return value
    if isinstance(value, str):
        return str(value)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("archive timestamps must be timezone-aware")
        if value.utcoffset():
            value = value.astimezone(UTC)
        return value.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"
    if isinstance(value, int):
        return int(value)
    raise TypeError(f"cannot hash a {type(value).__name__}")


def _fields(table: str, record: Mapping[Any, Any]) -> tuple[str, ...]:
    return FIELDS[table] if record.get("chain_version") is None else _WITHOUT_ID[table]


def canonical(table: str, seq: int, record: Mapping[Any, Any]) -> bytes:
    """One record as bytes: sorted-key compact JSON of its hashed fields, table and seq."""
    document = {name: _value(record[name]) for name in _fields(table, record)}
    for name in OPTIONAL_FIELDS.get(table, ()):
        if record.get(name) is not None:
            document[name] = _value(record[name])
    document["_table"] = table
    document["_seq"] = seq
    return _ENCODER.encode(document).encode()


def normalized(table: str, record: Mapping[Any, Any]) -> dict[str, Any]:
    """The hashed fields of a record as JSON values (timestamps as the text hashed), from
    which ``canonical`` gives the same bytes: what a dossier carries to prove a record (the
    row id too, which version 2 does not hash)."""
    document = {name: _value(record[name]) for name in FIELDS[table]}
    for name in OPTIONAL_FIELDS.get(table, ()):
        if record.get(name) is not None:
            document[name] = _value(record[name])
    return document


def normalized_conversation(conversation: Mapping[Any, Any]) -> dict[str, Any]:
    return {name: _value(conversation[name]) for name in CONVERSATION_FIELDS}


def genesis(conversation: Mapping[Any, Any]) -> str:
    """Hash 0 of a conversation's chain: binds the chain to its line, contact and channel."""
    document = {name: _value(conversation[name]) for name in CONVERSATION_FIELDS}
    return hashlib.sha256(
        b"consentline/conversation\n" + _ENCODER.encode(document).encode()
    ).hexdigest()


def link(previous: str, table: str, seq: int, record: Mapping[Any, Any]) -> str:
    return hashlib.sha256(previous.encode() + b"\n" + canonical(table, seq, record)).hexdigest()


def digest(lines: list[str]) -> str:
    """The hash of an ordered list of text lines (checkpoint entries)."""
    hasher = hashlib.sha256()
    for line in lines:
        hasher.update(line.encode() + b"\n")
    return hasher.hexdigest()


CHECKPOINT_FIELDS = (
    "root_id",
    "seq",
    "kind",
    "conversation_count",
    "record_count",
    "entries_digest",
    "created_at",
)


def entry_line(conversation_id: int, seq: int, head: str) -> str:
    return f"{conversation_id}:{seq}:{head}"


def checkpoint_hash(previous: str, checkpoint: Mapping[Any, Any]) -> str:
    """Checkpoints of one organization chain like records: each covers the one before."""
    document = {name: _value(checkpoint[name]) for name in CHECKPOINT_FIELDS}
    return hashlib.sha256(
        previous.encode() + b"\n" + _ENCODER.encode(document).encode()
    ).hexdigest()


CHECKPOINT_GENESIS = hashlib.sha256(b"consentline/checkpoints").hexdigest()


@dataclass(frozen=True)
class Problem:
    """The first thing wrong with one conversation's chain."""

    conversation_id: int
    table: str | None
    record_id: int | None
    seq: int | None
    message: str

    def __str__(self) -> str:
        where = f"conversation {self.conversation_id}"
        if self.table is not None:
            where += f", {self.table} id {self.record_id} (seq {self.seq})"
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class Stored:
    """One archive record as stored: its table, chain position and hash, and its fields."""

    table: str
    seq: int | None
    hash: str | None
    fields: Mapping[Any, Any]

    @property
    def id(self) -> int:
        return int(self.fields["id"])


class ChainCheck:
    """Walks one conversation's records in sequence order and finds the first bad one.

    ``base_seq``/``base_hash`` start the walk after a purged prefix (see retention);
    ``expected`` is (length, hash) pairs a checkpoint recorded, which must still be found.
    """

    def __init__(
        self,
        conversation: Mapping[Any, Any],
        *,
        base_seq: int = 0,
        base_hash: str | None = None,
        expected: Mapping[int, str] | None = None,
    ) -> None:
        self.conversation_id = int(conversation["id"])
        self.seq = base_seq
        self.head = base_hash if base_hash is not None else genesis(conversation)
        self.expected = dict(expected or {})
        self.problem: Problem | None = None

    def _fail(self, record: Stored | None, message: str) -> None:
        if self.problem is None:
            self.problem = Problem(
                self.conversation_id,
                record.table if record else None,
                record.id if record else None,
                record.seq if record else None,
                message,
            )

    def add(self, record: Stored) -> None:
        if self.problem is not None:
            return
        want = self.seq + 1
        if record.seq is None or record.hash is None:
            self._fail(record, "the record is not sealed in the chain")
            return
        if record.seq != want:
            if record.seq > want:
                self._fail(record, f"record(s) removed: seq {want} is missing")
            else:
                self._fail(record, f"seq {record.seq} appears twice (record inserted)")
            return
        computed = link(self.head, record.table, record.seq, record.fields)
        if computed != record.hash:
            self._fail(record, "the record was changed, inserted or moved (hash mismatch)")
            return
        if record.seq in self.expected and self.expected[record.seq] != computed:
            self._fail(record, "the chain differs from the one a checkpoint sealed")
            return
        self.seq, self.head = record.seq, computed

    def finish(self, length: int, head: str | None) -> Problem | None:
        """Compare the end of the walk with the head the conversation row keeps."""
        if self.problem is None:
            beyond = [n for n in self.expected if n > self.seq]
            if beyond:
                self._fail(None, f"records removed: a checkpoint sealed seq {max(beyond)}")
            elif self.seq != length:
                self._fail(
                    None, f"newest record(s) removed: chain ends at seq {self.seq} of {length}"
                )
            elif self.seq > 0 and head != self.head:
                self._fail(None, "the chain's newest hash differs from the conversation's")
        return self.problem
