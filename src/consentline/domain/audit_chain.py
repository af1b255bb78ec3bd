"""The admin audit log's hash chain: the canonical form of a record and how records link.

Pure. The same construction as the message archive (``domain/archive_chain.py``), per root
organization instead of per conversation:

    hash(n) = SHA-256(hash(n-1) || "\\n" || canonical(record n))
    hash(0) = SHA-256("consentline/audit\\n" || root id)

Only the fields in ``FIELDS`` are hashed, by name. ``before`` and ``after`` are JSON
documents, hashed as sorted-key compact JSON, so a database that reorders an object's keys
(PostgreSQL's JSON) still verifies.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

# Not the row id: it is known only after the insert, and ``seq`` orders the chain.
FIELDS = (
    "root_id",
    "org_id",
    "at",
    "actor",
    "action",
    "target_type",
    "target_id",
    "before",
    "after",
    "source",
)

_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def _value(value: Any) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("audit timestamps must be timezone-aware")
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"
    return value


def canonical(seq: int, record: Mapping[Any, Any]) -> bytes:
    document = {name: _value(record[name]) for name in FIELDS}
    document["_seq"] = seq
    return _ENCODER.encode(document).encode()


def genesis(root_id: int) -> str:
    return hashlib.sha256(f"consentline/audit\n{root_id}".encode()).hexdigest()


def link(previous: str, seq: int, record: Mapping[Any, Any]) -> str:
    return hashlib.sha256(previous.encode() + b"\n" + canonical(seq, record)).hexdigest()


def json_safe(document: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """A before/after document as it will be stored and read back (dates as ISO text)."""
    if document is None:
        return None
    safe: dict[str, Any] = json.loads(json.dumps(dict(document), default=_plain))
    return safe


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return _value(value)
    if isinstance(value, (set, frozenset, tuple)):
        return sorted(value) if isinstance(value, (set, frozenset)) else list(value)
    return str(value)


@dataclass(frozen=True)
class Problem:
    root_id: int
    record_id: int | None
    seq: int | None
    message: str

    def __str__(self) -> str:
        where = f"audit log of organization {self.root_id}"
        if self.record_id is not None:
            where += f", audit_log id {self.record_id} (seq {self.seq})"
        return f"{where}: {self.message}"


class AuditChainCheck:
    """Walks one organization's audit records in seq order and finds the first bad one."""

    def __init__(self, root_id: int) -> None:
        self.root_id = root_id
        self.seq = 0
        self.head = genesis(root_id)
        self.problem: Problem | None = None

    def add(self, record_id: int, seq: int, stored_hash: str, record: Mapping[Any, Any]) -> None:
        if self.problem is not None:
            return
        want = self.seq + 1
        if seq != want:
            message = (
                f"record(s) removed: seq {want} is missing"
                if seq > want
                else f"seq {seq} appears twice (record inserted)"
            )
            self.problem = Problem(self.root_id, record_id, seq, message)
            return
        computed = link(self.head, seq, record)
        if computed != stored_hash:
            self.problem = Problem(
                self.root_id,
                record_id,
                seq,
                "the record was changed, inserted or moved (hash mismatch)",
            )
            return
        self.seq, self.head = seq, computed

    def finish(self, length: int, head: str | None) -> Problem | None:
        if self.problem is None:
            if self.seq != length:
                self.problem = Problem(
                    self.root_id,
                    None,
                    None,
                    f"newest record(s) removed: the log ends at seq {self.seq} of {length}",
                )
            elif self.seq > 0 and head != self.head:
                self.problem = Problem(
                    self.root_id, None, None, "the log's newest hash differs from its head"
                )
        return self.problem
