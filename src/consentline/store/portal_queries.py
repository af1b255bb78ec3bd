"""Read-only queries behind portal pages: recent conversations, what each phone received."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from consentline.store.tables import (
    conversations,
    lines,
    message_events,
    messages,
    outbox,
    simulator_deliveries,
)


def recent_conversations(conn: Connection, line_ids: list[int], limit: int = 20) -> list[Any]:
    """The conversations of these lines, most recently changed first."""
    query = (
        select(
            conversations.c.id,
            conversations.c.contact,
            conversations.c.channel,
            conversations.c.state,
            conversations.c.updated_at,
            lines.c.id.label("line_id"),
            lines.c.number.label("line_number"),
            lines.c.employee_name,
        )
        .join(lines, lines.c.id == conversations.c.line_id)
        .where(conversations.c.line_id.in_(line_ids))
        .order_by(conversations.c.updated_at.desc(), conversations.c.id.desc())
        .limit(limit)
    )
    return list(conn.execute(query))


def phone_deliveries(conn: Connection, line_number: str, contact: str) -> list[dict[str, Any]]:
    """What the simulator delivered to each side of one conversation, with the message kind."""
    query = (
        select(
            simulator_deliveries.c.id,
            simulator_deliveries.c.side,
            simulator_deliveries.c.body,
            simulator_deliveries.c.delivered_at,
            messages.c.id.label("message_id"),
            messages.c.kind,
            messages.c.template,
            messages.c.sender,
        )
        .join(outbox, outbox.c.id == simulator_deliveries.c.outbox_id)
        .join(messages, messages.c.id == outbox.c.message_id)
        .where(
            simulator_deliveries.c.line_number == line_number,
            simulator_deliveries.c.contact == contact,
        )
        .order_by(simulator_deliveries.c.id)
    )
    return [dict(row._mapping) for row in conn.execute(query)]


def status_timeline(
    conn: Connection, line_id: int, contact: str, channel: str
) -> dict[int, list[tuple[str, datetime]]]:
    """Each message's statuses in order (held, then delivered…), by message id."""
    query = (
        select(message_events.c.message_id, message_events.c.status, message_events.c.created_at)
        .join(conversations, conversations.c.id == message_events.c.conversation_id)
        .where(
            conversations.c.line_id == line_id,
            conversations.c.contact == contact,
            conversations.c.channel == channel,
        )
        .order_by(message_events.c.id)
    )
    timeline: dict[int, list[tuple[str, datetime]]] = {}
    for message_id, status, at in conn.execute(query):
        timeline.setdefault(message_id, []).append((status, at))
    return timeline


def arrival_order(conn: Connection, line_id: int, contact: str, channel: str) -> dict[int, int]:
    """Per message, the id of the event that made it reach its recipient (its delivery), or
    of its first event: breaks ties between messages of the same moment in the order the
    gateway handled them (at a YES: the confirmation, then the released messages)."""
    query = (
        select(message_events.c.message_id, message_events.c.status, message_events.c.id)
        .join(conversations, conversations.c.id == message_events.c.conversation_id)
        .where(
            conversations.c.line_id == line_id,
            conversations.c.contact == contact,
            conversations.c.channel == channel,
        )
        .order_by(message_events.c.id)
    )
    order: dict[int, int] = {}
    for message_id, status, event_id in conn.execute(query):
        if status == "delivered" or message_id not in order:
            order[message_id] = event_id
    return order
