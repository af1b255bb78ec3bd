"""Walk the whole archive and name the first record that breaks its chain.

Streams each archive table ordered by (conversation, seq) and merges the three streams, so
memory holds one conversation at a time (plus the checkpoint expectations).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, func, select

from consentline.domain import archive_chain as chain
from consentline.service.audit_verify import verify_audit
from consentline.store.checkpoints import check_checkpoint_chains, expectations
from consentline.store.db import reading
from consentline.store.tables import conversations, metadata

BATCH = 5000


@dataclass(frozen=True)
class VerifyResult:
    conversations: int
    records: int
    problem: str | None
    audit_records: int = 0

    @property
    def intact(self) -> bool:
        return self.problem is None


def count_records(engine: Engine) -> int:
    with engine.connect() as conn:
        return sum(
            int(conn.execute(select(func.count()).select_from(metadata.tables[t])).scalar_one())
            for t in chain.TABLES
        )


def _records(conn: Connection, table_name: str) -> Iterator[tuple[int, int, chain.Stored]]:
    table = metadata.tables[table_name]
    names = chain.hashed_fields(table_name)
    columns = [table.c[name] for name in names]
    query = select(table.c.chain_seq, table.c.chain_hash, *columns).order_by(
        table.c.conversation_id, table.c.chain_seq
    )
    for row in conn.execution_options(stream_results=True, yield_per=BATCH).execute(query):
        seq, sealed, *values = row
        fields = dict(zip(names, values, strict=True))
        stored = chain.Stored(table_name, seq, sealed, fields)
        yield fields["conversation_id"], -1 if seq is None else seq, stored


def verify(engine: Engine, progress: Callable[[int], None] | None = None) -> VerifyResult:
    """Check every chain, the conversation heads, every checkpoint, and the audit log."""
    # One connection (one snapshot) for every stream: several interleaved cursors.
    with reading(engine) as conn:
        result = _verify_archive(conn, progress)
        if result.problem is not None:
            return result
        audit_records, problem = verify_audit(conn)
    return VerifyResult(result.conversations, result.records, problem, audit_records)


def _verify_archive(conn: Connection, progress: Callable[[int], None] | None) -> VerifyResult:
    problem = check_checkpoint_chains(conn)
    if problem is not None:
        return VerifyResult(0, 0, problem)
    expected = expectations(conn)
    pending = expected.conversations()
    streams = [_records(conn, name) for name in chain.TABLES]
    merged = heapq.merge(*streams, key=lambda item: (item[0], item[1]))
    upcoming = next(merged, None)
    seen_conversations = records = 0
    columns = [conversations.c[name] for name in chain.CONVERSATION_FIELDS]
    query = select(*columns, conversations.c.chain_length, conversations.c.chain_head)
    rows = conn.execution_options(stream_results=True, yield_per=BATCH).execute(
        query.order_by(conversations.c.id)
    )
    for row in rows:
        conversation_id = int(row.id)
        while upcoming is not None and upcoming[0] < conversation_id:
            record = upcoming[2]
            return VerifyResult(
                seen_conversations,
                records,
                f"conversation {upcoming[0]}, {record.table} id {record.id}: "
                "the record's conversation is missing",
            )
        base = expected.bases.get(conversation_id)
        check = chain.ChainCheck(
            row._mapping,
            base_seq=base[0] if base else 0,
            base_hash=base[1] if base else None,
            expected=expected.sealed.get(conversation_id),
        )
        pending.discard(conversation_id)
        count = 0
        while upcoming is not None and upcoming[0] == conversation_id:
            check.add(upcoming[2])
            count += 1
            upcoming = next(merged, None)
        found = check.finish(int(row.chain_length), row.chain_head)
        seen_conversations += 1
        records += count
        if progress is not None:
            progress(count)
        if found is not None:
            return VerifyResult(seen_conversations, records, str(found))
    if upcoming is not None:
        record = upcoming[2]
        return VerifyResult(
            seen_conversations,
            records,
            f"conversation {upcoming[0]}, {record.table} id {record.id}: "
            "the record's conversation is missing",
        )
    if pending:
        missing = min(pending)
        return VerifyResult(
            seen_conversations,
            records,
            f"conversation {missing}: removed (a checkpoint sealed it, it no longer exists)",
        )
    return VerifyResult(seen_conversations, records, None)


def verify_conversation(conn: Connection, conversation_id: int) -> VerifyResult:
    """One conversation's chain, as the evidence page shows it."""
    columns = [conversations.c[name] for name in chain.CONVERSATION_FIELDS]
    row = conn.execute(
        select(*columns, conversations.c.chain_length, conversations.c.chain_head).where(
            conversations.c.id == conversation_id
        )
    ).one()
    expected = expectations(conn, conversation_id)
    base = expected.bases.get(conversation_id)
    check = chain.ChainCheck(
        row._mapping,
        base_seq=base[0] if base else 0,
        base_hash=base[1] if base else None,
        expected=expected.sealed.get(conversation_id),
    )
    records: list[tuple[int, chain.Stored]] = []
    for name in chain.TABLES:
        table = metadata.tables[name]
        fields = [table.c[field] for field in chain.hashed_fields(name)]
        query = select(*fields, table.c.chain_seq, table.c.chain_hash).where(
            table.c.conversation_id == conversation_id
        )
        for record in conn.execute(query):
            seq = record.chain_seq
            stored = chain.Stored(name, seq, record.chain_hash, record._mapping)
            records.append((-1 if seq is None else int(seq), stored))
    for _, stored in sorted(records, key=lambda item: item[0]):
        check.add(stored)
    found = check.finish(int(row.chain_length), row.chain_head)
    return VerifyResult(1, len(records), str(found) if found else None)
