"""The outbox: what committed decisions must send, written in the decision's transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from consentline.store.tables import conversations, lines, messages, outbox, simulator_deliveries


@dataclass(frozen=True)
class OutboxItem:
    id: int
    message_id: int
    destination: str
    attempts: int
    line_number: str
    contact: str
    channel: str
    body: str


def enqueue(conn: Connection, message_id: int, destination: str, now: datetime) -> None:
    conn.execute(
        insert(outbox).values(
            message_id=message_id,
            destination=destination,
            status="pending",
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
    )


def claim_due(conn: Connection, now: datetime, limit: int) -> list[OutboxItem]:
    """Pending items whose time has come, oldest first, locked for this transaction."""
    query = (
        select(
            outbox.c.id,
            outbox.c.message_id,
            outbox.c.destination,
            outbox.c.attempts,
            lines.c.number.label("line_number"),
            conversations.c.contact,
            conversations.c.channel,
            messages.c.body,
        )
        .join(messages, messages.c.id == outbox.c.message_id)
        .join(conversations, conversations.c.id == messages.c.conversation_id)
        .join(lines, lines.c.id == conversations.c.line_id)
        .where(outbox.c.status == "pending", outbox.c.next_attempt_at <= now)
        .order_by(outbox.c.id)
        .limit(limit)
    )
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(of=outbox, skip_locked=True)
    return [
        OutboxItem(
            r.id,
            r.message_id,
            r.destination,
            r.attempts,
            r.line_number,
            r.contact,
            r.channel,
            r.body,
        )
        for r in conn.execute(query)
    ]


def mark_sent(conn: Connection, item_id: int, now: datetime) -> None:
    conn.execute(
        update(outbox)
        .where(outbox.c.id == item_id)
        .values(status="sent", sent_at=now, attempts=outbox.c.attempts + 1, last_error=None)
    )


def mark_failed(
    conn: Connection, item_id: int, error: str, retry_at: datetime | None, now: datetime
) -> None:
    """Count a failed try; ``retry_at`` None means no more tries (dead letter)."""
    conn.execute(
        update(outbox)
        .where(outbox.c.id == item_id)
        .values(
            status="pending" if retry_at else "dead",
            attempts=outbox.c.attempts + 1,
            next_attempt_at=retry_at or now,
            last_error=error[:2000],
        )
    )


def pending_count(conn: Connection) -> int:
    query = select(func.count()).select_from(outbox).where(outbox.c.status == "pending")
    return int(conn.execute(query).scalar_one())


def record_simulated(conn: Connection, item: OutboxItem, now: datetime) -> None:
    conn.execute(
        insert(simulator_deliveries).values(
            outbox_id=item.id,
            side=item.destination,
            line_number=item.line_number,
            contact=item.contact,
            channel=item.channel,
            body=item.body,
            delivered_at=now,
        )
    )


def simulated_deliveries(
    conn: Connection, line_number: str, contact: str | None = None
) -> list[dict[str, Any]]:
    query = (
        select(simulator_deliveries)
        .where(simulator_deliveries.c.line_number == line_number)
        .order_by(simulator_deliveries.c.id)
    )
    if contact is not None:
        query = query.where(simulator_deliveries.c.contact == contact)
    return [dict(row._mapping) for row in conn.execute(query)]
