"""Conversations with their consent records, the message archive, holds and receipts."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, bindparam, delete, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from consentline.domain.consent import ConsentRecord, Party, State
from consentline.domain.policy import HeldMessage, ScopeBlock
from consentline.domain.settings import Mode
from consentline.store.archive import ArchiveBatch, ArchiveChain
from consentline.store.tables import (
    consent_events,
    conversations,
    holds,
    inbound_receipts,
    lines,
    message_events,
    messages,
)
from consentline.store.types import inserted_id


@dataclass(frozen=True)
class ConversationRow:
    id: int
    root_id: int
    line_id: int
    contact: str
    channel: str
    record: ConsentRecord
    evidence_message_id: int | None
    chain_length: int = 0
    chain_head: str | None = None
    held: tuple[HeldMessage, ...] = ()
    """Its held messages, oldest first (read with the lock by ``lock_conversation``)."""
    language: str | None = None
    hold_recipients: Mapping[int, str] = field(default_factory=dict)
    """Who each held message is for (read with the holds)."""

    def archive_chain(self, batch: ArchiveBatch | None = None) -> ArchiveChain:
        """The chain that this event's archive records join (one per locked conversation)."""
        identity = {
            "id": self.id,
            "root_id": self.root_id,
            "line_id": self.line_id,
            "contact": self.contact,
            "channel": self.channel,
        }
        return ArchiveChain(identity, self.chain_length, self.chain_head, batch)


@dataclass(frozen=True)
class NewMessage:
    sender: str
    recipient: str
    kind: str
    template: str | None
    body: str
    provider_message_id: str | None = None
    group_id: str | None = None


@dataclass(frozen=True)
class Provenance:
    """Where a consent change came from when no message made it (a staff record, an
    import), with its details: who, how, when decided, the evidence."""

    source: str
    details: dict[str, Any]

    def details_text(self) -> str:
        # Canonical (sorted, compact) so the text hashed in the chain is the text stored.
        return json.dumps(self.details, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _record(row: Any) -> ConsentRecord:
    return ConsentRecord(
        state=State(row.state),
        mode=Mode(row.mode) if row.mode else None,
        initiated_by=Party(row.initiated_by) if row.initiated_by else None,
        requested_at=row.requested_at,
        last_request_at=row.last_request_at,
        request_text=row.request_text,
        decided_at=row.decided_at,
        optout_source=row.optout_source,
    )


def conversation_of(row: Any, held: Sequence[Any] = ()) -> ConversationRow:
    """A ``conversations`` row as a ConversationRow, with its holds (rows of message_id,
    created_at, recipient), oldest first."""
    return _conversation(row, held)


def _conversation(row: Any, held: Sequence[Any] = ()) -> ConversationRow:
    """A row with its holds (rows of message_id, created_at, recipient)."""
    return ConversationRow(
        row.id,
        row.root_id,
        row.line_id,
        row.contact,
        row.channel,
        _record(row),
        row.evidence_message_id,
        int(row.chain_length),
        row.chain_head,
        tuple(HeldMessage(h.message_id, h.created_at) for h in held),
        row.language,
        {h.message_id: h.recipient for h in held},
    )


# The statements of every message, built once (see ``archive``).
_THIS_CONVERSATION = and_(
    conversations.c.line_id == bindparam("line_id"),
    conversations.c.contact == bindparam("contact"),
    conversations.c.channel == bindparam("channel"),
)
_FIND = select(conversations).where(_THIS_CONVERSATION)
_FIND_WITH_HOLDS = (
    select(
        conversations,
        holds.c.message_id.label("held_id"),
        holds.c.created_at.label("held_at"),
        holds.c.recipient.label("held_for"),
    )
    .select_from(conversations.outerjoin(holds, holds.c.conversation_id == conversations.c.id))
    .where(_THIS_CONVERSATION)
    .order_by(holds.c.created_at, holds.c.message_id)
)
_CREATE = insert(conversations)
# PostgreSQL: found or created, and locked, in one statement (the no-op update takes the
# row lock, waiting for a concurrent event of the conversation to commit first).
_LOCK_OR_CREATE = (
    pg_insert(conversations)
    .on_conflict_do_update(
        constraint="uq_conversations_line_contact",
        set_={"line_id": pg_insert(conversations).excluded.line_id},
    )
    .returning(*conversations.c)
)
_HOLD = insert(holds)
_HELD = (
    select(holds.c.message_id, holds.c.created_at, holds.c.recipient)
    .where(holds.c.conversation_id == bindparam("conversation_id"))
    .order_by(holds.c.created_at, holds.c.message_id)
)


def find_conversation(
    conn: Connection, line_id: int, contact: str, channel: str
) -> ConversationRow | None:
    key = {"line_id": line_id, "contact": contact, "channel": channel}
    row = conn.execute(_FIND, key).first()
    return _conversation(row) if row else None


def lock_conversation(
    conn: Connection, root_id: int, line_id: int, contact: str, channel: str, now: datetime
) -> ConversationRow:
    """The conversation with its held messages, created if new, locked until the
    transaction ends.

    On PostgreSQL the row lock serializes events of one conversation and no other; on
    SQLite the write transaction (BEGIN IMMEDIATE) already holds the database's one lock.
    """
    key = {"line_id": line_id, "contact": contact, "channel": channel}
    values = {**key, "root_id": root_id, "state": State.NONE.value}
    values |= {"created_at": now, "updated_at": now}
    if conn.dialect.name == "postgresql":
        row = conn.execute(_LOCK_OR_CREATE, values).one()
        # Holds are read by a statement begun after the lock was granted, so they are those
        # the previous event committed (a join in the locking statement would read the
        # holds of its own, older snapshot).
        return _conversation(row, _held_rows(conn, row.id))
    # SQLite's write transaction began holding the database lock: one snapshot is enough.
    rows = conn.execute(_FIND_WITH_HOLDS, key).all()
    if rows:
        return _with_holds(rows)
    conversation_id = inserted_id(conn.execute(_CREATE, values))
    return ConversationRow(
        conversation_id, root_id, line_id, contact, channel, ConsentRecord(), None
    )


def opt_out_elsewhere(
    conn: Connection,
    conversation: ConversationRow,
    channel: str | None,
    after: datetime | None,
) -> ScopeBlock | None:
    """The newest opt-out of the same contact on another line of the organization (on
    ``channel``, or on any channel when None), decided after ``after`` when given."""
    query = (
        select(lines.c.number, conversations.c.channel, conversations.c.decided_at)
        .join(lines, lines.c.id == conversations.c.line_id)
        .where(
            conversations.c.root_id == conversation.root_id,
            conversations.c.contact == conversation.contact,
            conversations.c.id != conversation.id,
            conversations.c.state == State.OPTED_OUT.value,
        )
        .order_by(conversations.c.decided_at.desc(), conversations.c.id.desc())
        .limit(1)
    )
    if channel is not None:
        query = query.where(conversations.c.channel == channel)
    if after is not None:
        query = query.where(conversations.c.decided_at > after)
    row = conn.execute(query).first()
    if row is None:
        return None
    return ScopeBlock(row.number, row.channel, row.decided_at or after or datetime.min)


def set_language(conn: Connection, conversation_id: int, language: str) -> None:
    conn.execute(
        update(conversations).where(conversations.c.id == conversation_id).values(language=language)
    )


@dataclass(frozen=True)
class _Held:
    message_id: int
    created_at: datetime
    recipient: str


def _with_holds(rows: Sequence[Any]) -> ConversationRow:
    held = [_Held(r.held_id, r.held_at, r.held_for) for r in rows if r.held_id is not None]
    return _conversation(rows[0], held)


def save_record(
    conversation: ConversationRow,
    archive_chain: ArchiveChain,
    record: ConsentRecord,
    evidence_message_id: int | None,
    trigger_message_id: int | None,
    now: datetime,
    provenance: Provenance | None = None,
) -> dict[str, Any]:
    """Append the consent record's change to its history; returns the conversation columns
    that ``ArchiveChain.close`` then writes with the chain's head."""
    extra = {}
    if provenance is not None:
        extra = {"source": provenance.source, "details": provenance.details_text()}
    archive_chain.append_event(
        consent_events,
        {
            **extra,
            "conversation_id": conversation.id,
            "message_id": trigger_message_id,
            "old_state": conversation.record.state.value,
            "new_state": record.state.value,
            "mode": record.mode.value if record.mode else None,
            "initiated_by": record.initiated_by.value if record.initiated_by else None,
            "request_text": record.request_text,
            "created_at": now,
            "optout_source": record.optout_source,
        },
    )
    return {
        "state": record.state.value,
        "mode": record.mode.value if record.mode else None,
        "initiated_by": record.initiated_by.value if record.initiated_by else None,
        "requested_at": record.requested_at,
        "last_request_at": record.last_request_at,
        "request_text": record.request_text,
        "decided_at": record.decided_at,
        "optout_source": record.optout_source,
        "evidence_message_id": evidence_message_id,
        "updated_at": now,
    }


def insert_message(
    conn: Connection,
    conversation: ConversationRow,
    archive_chain: ArchiveChain,
    message: NewMessage,
    now: datetime,
) -> int:
    return archive_chain.append_message(
        conn,
        {
            "root_id": conversation.root_id,
            "conversation_id": conversation.id,
            "sender": message.sender,
            "recipient": message.recipient,
            "kind": message.kind,
            "template": message.template,
            "body": message.body,
            "channel": conversation.channel,
            "provider_message_id": message.provider_message_id,
            "group_id": message.group_id,
            "created_at": now,
        },
    )


def append_status(
    archive_chain: ArchiveChain,
    message_id: int,
    status: str,
    reason: str | None,
    consent_state: str,
    now: datetime,
) -> None:
    archive_chain.append_event(
        message_events,
        {
            "message_id": message_id,
            "conversation_id": archive_chain.conversation_id,
            "status": status,
            "reason": reason,
            "consent_state": consent_state,
            "created_at": now,
        },
    )


def hold(
    conn: Connection, conversation: ConversationRow, message_id: int, recipient: str, now: datetime
) -> None:
    conn.execute(
        _HOLD,
        {
            "message_id": message_id,
            "conversation_id": conversation.id,
            "root_id": conversation.root_id,
            "recipient": recipient,
            "created_at": now,
        },
    )


def _held_rows(conn: Connection, conversation_id: int) -> list[Any]:
    return list(conn.execute(_HELD, {"conversation_id": conversation_id}))


def held_messages(conn: Connection, conversation_id: int) -> list[HeldMessage]:
    return [
        HeldMessage(row.message_id, row.created_at) for row in _held_rows(conn, conversation_id)
    ]


def release_holds(conn: Connection, message_ids: list[int]) -> None:
    if message_ids:
        conn.execute(delete(holds).where(holds.c.message_id.in_(message_ids)))


def overdue_hold_conversations(conn: Connection, root_id: int, cutoff: datetime) -> list[int]:
    query = (
        select(holds.c.conversation_id)
        .where(holds.c.root_id == root_id, holds.c.created_at < cutoff)
        .distinct()
    )
    return [row.conversation_id for row in conn.execute(query)]


def roots_with_holds(conn: Connection) -> list[int]:
    return [row.root_id for row in conn.execute(select(holds.c.root_id).distinct())]


def lock_conversation_by_id(conn: Connection, conversation_id: int) -> ConversationRow:
    """A known conversation with its held messages, locked as ``lock_conversation`` does."""
    query = select(conversations).where(conversations.c.id == conversation_id)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    row = conn.execute(query).one()
    return _conversation(row, _held_rows(conn, conversation_id))


def message_history(conn: Connection, conversation_id: int) -> list[dict[str, Any]]:
    """The conversation's messages, oldest first, each with its newest status."""
    latest: dict[int, Any] = {}
    for event in conn.execute(
        select(message_events)
        .where(message_events.c.conversation_id == conversation_id)
        .order_by(message_events.c.id)
    ):
        latest[event.message_id] = event
    history = []
    for row in conn.execute(
        select(messages)
        .where(messages.c.conversation_id == conversation_id)
        .order_by(messages.c.id)
    ):
        newest = latest.get(row.id)
        history.append(
            {
                "id": row.id,
                "sender": row.sender,
                "recipient": row.recipient,
                "kind": row.kind,
                "template": row.template,
                "body": row.body,
                "status": newest.status if newest else None,
                "reason": newest.reason if newest else None,
                "created_at": row.created_at,
            }
        )
    return history


def find_receipt(
    conn: Connection, root_id: int, channel: str, provider_message_id: str
) -> dict[str, Any] | None:
    response = conn.execute(
        select(inbound_receipts.c.response).where(
            inbound_receipts.c.root_id == root_id,
            inbound_receipts.c.channel == channel,
            inbound_receipts.c.provider_message_id == provider_message_id,
        )
    ).scalar()
    return dict(response) if response is not None else None


def save_receipt(
    conn: Connection,
    root_id: int,
    channel: str,
    provider_message_id: str,
    response: dict[str, Any],
    now: datetime,
) -> None:
    conn.execute(
        insert(inbound_receipts).values(
            root_id=root_id,
            channel=channel,
            provider_message_id=provider_message_id,
            response=response,
            created_at=now,
        )
    )
