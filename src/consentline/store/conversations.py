"""Conversations with their consent records, the message archive, holds and receipts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from consentline.domain.consent import ConsentRecord, Party, State
from consentline.domain.policy import HeldMessage
from consentline.domain.settings import Mode
from consentline.store import archive
from consentline.store.tables import (
    consent_events,
    conversations,
    holds,
    inbound_receipts,
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


@dataclass(frozen=True)
class NewMessage:
    sender: str
    recipient: str
    kind: str
    template: str | None
    body: str
    provider_message_id: str | None = None
    group_id: str | None = None


def _record(row: Any) -> ConsentRecord:
    return ConsentRecord(
        state=State(row.state),
        mode=Mode(row.mode) if row.mode else None,
        initiated_by=Party(row.initiated_by) if row.initiated_by else None,
        requested_at=row.requested_at,
        last_request_at=row.last_request_at,
        request_text=row.request_text,
        decided_at=row.decided_at,
    )


def _conversation(row: Any) -> ConversationRow:
    return ConversationRow(
        row.id,
        row.root_id,
        row.line_id,
        row.contact,
        row.channel,
        _record(row),
        row.evidence_message_id,
    )


def find_conversation(
    conn: Connection, line_id: int, contact: str, channel: str
) -> ConversationRow | None:
    row = conn.execute(
        select(conversations).where(
            conversations.c.line_id == line_id,
            conversations.c.contact == contact,
            conversations.c.channel == channel,
        )
    ).first()
    return _conversation(row) if row else None


def lock_conversation(
    conn: Connection, root_id: int, line_id: int, contact: str, channel: str, now: datetime
) -> ConversationRow:
    """The conversation, created if new, locked until the transaction ends.

    On PostgreSQL the row lock serializes events of one conversation and no other; on
    SQLite the write transaction (BEGIN IMMEDIATE) already holds the database's one lock.
    """
    values = {
        "root_id": root_id,
        "line_id": line_id,
        "contact": contact,
        "channel": channel,
        "state": State.NONE.value,
        "created_at": now,
        "updated_at": now,
    }
    if conn.dialect.name == "postgresql":
        conn.execute(pg_insert(conversations).values(values).on_conflict_do_nothing())
        row = conn.execute(
            select(conversations)
            .where(
                conversations.c.line_id == line_id,
                conversations.c.contact == contact,
                conversations.c.channel == channel,
            )
            .with_for_update()
        ).one()
        return _conversation(row)
    found = find_conversation(conn, line_id, contact, channel)
    if found is not None:
        return found
    conversation_id = inserted_id(conn.execute(insert(conversations).values(values)))
    return ConversationRow(
        conversation_id, root_id, line_id, contact, channel, ConsentRecord(), None
    )


def save_record(
    conn: Connection,
    conversation: ConversationRow,
    record: ConsentRecord,
    evidence_message_id: int | None,
    trigger_message_id: int | None,
    now: datetime,
) -> None:
    """Store the new consent record and append the change to its history."""
    conn.execute(
        update(conversations)
        .where(conversations.c.id == conversation.id)
        .values(
            state=record.state.value,
            mode=record.mode.value if record.mode else None,
            initiated_by=record.initiated_by.value if record.initiated_by else None,
            requested_at=record.requested_at,
            last_request_at=record.last_request_at,
            request_text=record.request_text,
            decided_at=record.decided_at,
            evidence_message_id=evidence_message_id,
            updated_at=now,
        )
    )
    archive.append(
        conn,
        consent_events,
        {
            "conversation_id": conversation.id,
            "message_id": trigger_message_id,
            "old_state": conversation.record.state.value,
            "new_state": record.state.value,
            "mode": record.mode.value if record.mode else None,
            "initiated_by": record.initiated_by.value if record.initiated_by else None,
            "request_text": record.request_text,
            "created_at": now,
        },
    )


def insert_message(
    conn: Connection, conversation: ConversationRow, message: NewMessage, now: datetime
) -> int:
    return archive.append(
        conn,
        messages,
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
    conn: Connection,
    conversation_id: int,
    message_id: int,
    status: str,
    reason: str | None,
    consent_state: str,
    now: datetime,
) -> None:
    archive.append(
        conn,
        message_events,
        {
            "message_id": message_id,
            "conversation_id": conversation_id,
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
        insert(holds).values(
            message_id=message_id,
            conversation_id=conversation.id,
            root_id=conversation.root_id,
            recipient=recipient,
            created_at=now,
        )
    )


def hold_recipients(conn: Connection, message_ids: list[int]) -> dict[int, str]:
    query = select(holds.c.message_id, holds.c.recipient).where(holds.c.message_id.in_(message_ids))
    return {row.message_id: row.recipient for row in conn.execute(query)}


def held_messages(conn: Connection, conversation_id: int) -> list[HeldMessage]:
    query = (
        select(holds.c.message_id, holds.c.created_at)
        .where(holds.c.conversation_id == conversation_id)
        .order_by(holds.c.created_at, holds.c.message_id)
    )
    return [HeldMessage(row.message_id, row.created_at) for row in conn.execute(query)]


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
    query = select(conversations).where(conversations.c.id == conversation_id)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    return _conversation(conn.execute(query).one())


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
