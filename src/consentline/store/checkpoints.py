"""Organization checkpoints: seals over every conversation chain of a root organization.

A conversation chain proves its own records; it cannot prove that the conversation itself
still exists. A checkpoint lists, for every conversation of the organization, its chain
length and newest hash at that moment, and checkpoints chain per organization. Verification
then requires every sealed conversation to exist and to still pass through the sealed hash:
a conversation removed whole, or cut below what was sealed, is detected. Checkpoints are
written by ``consentline archive checkpoint`` (run it from cron, e.g. nightly) and by every
purge; the printed hash can be kept outside the database (WORM storage, a ticket, an email)
to anchor the newest checkpoint too.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, func, insert, select

from consentline.domain import archive_chain as chain
from consentline.store.compliance_tables import archive_checkpoint_entries, archive_checkpoints
from consentline.store.tables import conversations
from consentline.store.types import inserted_id


@dataclass(frozen=True)
class Checkpoint:
    id: int
    root_id: int
    seq: int
    kind: str
    conversation_count: int
    record_count: int
    hash: str


Entry = tuple[int, int, str]  # conversation id, chain seq, chain hash


def seal(conn: Connection, root_id: int, now: datetime) -> Checkpoint:
    """A checkpoint over every conversation of the organization as it is now."""
    query = (
        select(conversations.c.id, conversations.c.chain_length, conversations.c.chain_head)
        .where(conversations.c.root_id == root_id, conversations.c.chain_length > 0)
        .order_by(conversations.c.id)
    )
    entries = [(row.id, row.chain_length, row.chain_head) for row in conn.execute(query)]
    return record(conn, root_id, "seal", entries, now)


def record(
    conn: Connection, root_id: int, kind: str, entries: list[Entry], now: datetime
) -> Checkpoint:
    entries = sorted(entries)
    last = conn.execute(
        select(archive_checkpoints.c.seq, archive_checkpoints.c.hash)
        .where(archive_checkpoints.c.root_id == root_id)
        .order_by(archive_checkpoints.c.seq.desc())
        .limit(1)
    ).first()
    seq = (int(last.seq) if last else 0) + 1
    record_count = sum(length for _, length, _ in entries)
    values = {
        "root_id": root_id,
        "seq": seq,
        "kind": kind,
        "conversation_count": len(entries),
        "record_count": record_count,
        "entries_digest": chain.digest([chain.entry_line(*entry) for entry in entries]),
        "created_at": now,
    }
    previous = last.hash if last else chain.CHECKPOINT_GENESIS
    sealed = chain.checkpoint_hash(previous, values)
    checkpoint_id = inserted_id(
        conn.execute(insert(archive_checkpoints).values(**values, prev_hash=previous, hash=sealed))
    )
    if entries:
        conn.execute(
            insert(archive_checkpoint_entries),
            [
                {
                    "checkpoint_id": checkpoint_id,
                    "conversation_id": c,
                    "chain_seq": s,
                    "chain_hash": h,
                }
                for c, s, h in entries
            ],
        )
    return Checkpoint(
        checkpoint_id,
        root_id,
        seq,
        kind,
        len(entries),
        record_count,
        sealed,
    )


def check_checkpoint_chains(conn: Connection) -> str | None:
    """The first checkpoint whose entries or links were altered, or None."""
    previous: dict[int, tuple[int, str]] = {}
    for row in conn.execute(
        select(archive_checkpoints).order_by(
            archive_checkpoints.c.root_id, archive_checkpoints.c.seq
        )
    ):
        seq, prior = previous.get(row.root_id, (0, chain.CHECKPOINT_GENESIS))
        label = f"checkpoint {row.seq} of organization {row.root_id} (id {row.id})"
        if row.seq != seq + 1:
            return f"{label}: checkpoint {seq + 1} is missing"
        lines = [
            chain.entry_line(e.conversation_id, e.chain_seq, e.chain_hash)
            for e in conn.execute(
                select(archive_checkpoint_entries)
                .where(archive_checkpoint_entries.c.checkpoint_id == row.id)
                .order_by(archive_checkpoint_entries.c.conversation_id)
            )
        ]
        if chain.digest(lines) != row.entries_digest or len(lines) != row.conversation_count:
            return f"{label}: its entries were changed"
        if row.prev_hash != prior or chain.checkpoint_hash(prior, row._mapping) != row.hash:
            return f"{label}: the checkpoint was changed"
        previous[row.root_id] = (row.seq, row.hash)
    return None


@dataclass
class Expectations:
    """What checkpoints require of each conversation's chain."""

    bases: dict[int, tuple[int, str]]
    sealed: dict[int, dict[int, str]]

    def conversations(self) -> set[int]:
        return set(self.bases) | set(self.sealed)


def expectations(conn: Connection, conversation_id: int | None = None) -> Expectations:
    """Purge bases (where each chain now starts) and the newest seal of each organization,
    for every conversation or for one."""
    bases: dict[int, tuple[int, str]] = {}
    sealed: dict[int, dict[int, str]] = defaultdict(dict)
    newest_seal = (
        select(archive_checkpoints.c.root_id, func.max(archive_checkpoints.c.id).label("id"))
        .where(archive_checkpoints.c.kind == "seal")
        .group_by(archive_checkpoints.c.root_id)
        .subquery()
    )
    sealed_query = select(archive_checkpoint_entries).where(
        archive_checkpoint_entries.c.checkpoint_id.in_(select(newest_seal.c.id))
    )
    if conversation_id is not None:
        sealed_query = sealed_query.where(
            archive_checkpoint_entries.c.conversation_id == conversation_id
        )
    for row in conn.execute(sealed_query):
        sealed[row.conversation_id][row.chain_seq] = row.chain_hash
    purges = (
        select(archive_checkpoint_entries)
        .join(
            archive_checkpoints,
            archive_checkpoints.c.id == archive_checkpoint_entries.c.checkpoint_id,
        )
        .where(archive_checkpoints.c.kind == "purge")
        .order_by(archive_checkpoint_entries.c.checkpoint_id)
    )
    if conversation_id is not None:
        purges = purges.where(archive_checkpoint_entries.c.conversation_id == conversation_id)
    for row in conn.execute(purges):
        bases[row.conversation_id] = (row.chain_seq, row.chain_hash)
    return Expectations(bases, dict(sealed))
