"""The outbox: what committed decisions must send, written in the decision's transaction.

Workers lease due rows (``claim``), send outside any transaction, then record the result
(``record_sent`` / ``record_failed``), each guarded by the lease so a worker that lost its
lease cannot overwrite another's result.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, case, func, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from consentline.domain.delivery import DeliveryStatus, replaced_by
from consentline.store import queue
from consentline.store.tables import (
    conversations,
    lines,
    messages,
    orgs,
    outbox,
    simulator_deliveries,
)


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
    root_id: int = 0
    conversation_id: int = 0
    template: str | None = None
    kind: str = "user"
    employee_name: str = ""
    company_name: str = ""
    in_doubt: bool = False
    """The previous attempt's outcome was never recorded: it may have reached the carrier."""
    attempt_started_at: datetime | None = None
    """When the previous attempt began (for finding it at the carrier)."""
    provider_message_id: str | None = None
    contact_last_wrote: datetime | None = None


_ENQUEUE = insert(outbox)  # built once: its compiled form is cached


PRIORITY_ORDINARY = 0
PRIORITY_OPT_OUT_CONFIRMATION = 1


def enqueue_many(conn: Connection, items: list[tuple[int, str, int]], now: datetime) -> None:
    """Queue one event's messages, ``(message_id, destination, priority)`` each, in one
    statement."""
    if not items:
        return
    conn.execute(
        _ENQUEUE,
        [
            {
                "message_id": message_id,
                "destination": destination,
                "status": "pending",
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
                "priority": priority,
            }
            for message_id, destination, priority in items
        ],
    )


def prioritize_conversation(conn: Connection, conversation_id: int, priority: int) -> None:
    """Move a conversation's unsent items ahead of ordinary traffic, all of them, so that
    its messages still reach the contact in the order they were decided."""
    conversation_messages = select(messages.c.id).where(
        messages.c.conversation_id == conversation_id
    )
    conn.execute(
        update(outbox)
        .where(outbox.c.status == "pending", outbox.c.message_id.in_(conversation_messages))
        .values(priority=priority)
    )


def _free(now: datetime) -> Any:
    return queue.free(outbox, now)


def claim(
    conn: Connection, now: datetime, limit: int, owner: str, lease: timedelta
) -> list[OutboxItem]:
    """Lease due items to ``owner`` until ``now + lease``: opt-out confirmations first (so
    they meet the FCC's 5 minutes under load), then oldest first.

    Two statements for the whole batch: a SELECT of the due items with what sending needs
    (on PostgreSQL locking them, ``SKIP LOCKED``), then one UPDATE leasing them that returns
    those it took (another worker may have taken some in between on SQLite's snapshot). The
    SELECT keeps each item's state before this claim: an item whose lease ran out (its
    worker died) is due again, flagged ``in_doubt``.
    """
    root = orgs.alias("root")
    contact_messages = messages.alias("contact_messages")
    last_wrote = (
        select(func.max(contact_messages.c.created_at))
        .where(
            contact_messages.c.conversation_id == conversations.c.id,
            contact_messages.c.sender == "contact",
        )
        .scalar_subquery()
    )
    query = (
        select(
            outbox.c.id,
            outbox.c.message_id,
            outbox.c.destination,
            outbox.c.attempts,
            outbox.c.in_doubt,
            outbox.c.attempt_started_at,
            outbox.c.provider_message_id,
            lines.c.number.label("line_number"),
            lines.c.employee_name,
            root.c.name.label("company_name"),
            conversations.c.contact,
            conversations.c.channel,
            conversations.c.root_id,
            conversations.c.id.label("conversation_id"),
            messages.c.body,
            messages.c.template,
            messages.c.kind,
            last_wrote.label("contact_last_wrote"),
        )
        .join(messages, messages.c.id == outbox.c.message_id)
        .join(conversations, conversations.c.id == messages.c.conversation_id)
        .join(lines, lines.c.id == conversations.c.line_id)
        .join(root, root.c.id == conversations.c.root_id)
        .where(outbox.c.status == "pending", outbox.c.next_attempt_at <= now, _free(now))
        .order_by(outbox.c.priority.desc(), outbox.c.id)
        .limit(limit)
    )
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(of=outbox, skip_locked=True)
    due = conn.execute(query).all()
    if not due:
        return []
    taken = set(
        conn.execute(
            update(outbox)
            .where(outbox.c.id.in_([r.id for r in due]), outbox.c.status == "pending", _free(now))
            .values(
                lease_owner=owner,
                lease_until=now + lease,
                attempt_started_at=now,
                in_doubt=True,
                attempts=outbox.c.attempts + 1,
            )
            .returning(outbox.c.id)
        ).scalars()
    )
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
            root_id=r.root_id,
            conversation_id=r.conversation_id,
            template=r.template,
            kind=r.kind,
            employee_name=r.employee_name,
            company_name=r.company_name,
            in_doubt=bool(r.in_doubt),
            attempt_started_at=r.attempt_started_at,
            provider_message_id=r.provider_message_id,
            contact_last_wrote=r.contact_last_wrote,
        )
        for r in due
        if r.id in taken
    ]


def renew(conn: Connection, item_id: int, owner: str, now: datetime, lease: timedelta) -> bool:
    """Extend the lease just before a send (and note when the attempt began); False when the
    lease was lost to another worker, who then owns the item and its send."""
    return bool(
        conn.execute(
            update(outbox)
            .where(_leased(item_id, owner), outbox.c.status == "pending")
            .values(lease_until=now + lease, attempt_started_at=now)
        ).rowcount
    )


def release(
    conn: Connection, item: OutboxItem, owner: str, retry_at: datetime, *, maybe_sent: bool
) -> bool:
    """Give back a claimed item its worker could not finish (the database failed), due again
    at ``retry_at``. An item never handed to its carrier is as it was before the claim; one
    that may have gone out stays ``in_doubt``, so the next try asks the carrier first."""
    values: dict[str, Any] = {
        "lease_owner": None,
        "lease_until": None,
        "next_attempt_at": retry_at,
    }
    if not maybe_sent:
        values.update(attempts=item.attempts, in_doubt=item.in_doubt)
    query = update(outbox).where(_leased(item.id, owner), outbox.c.status == "pending")
    return bool(conn.execute(query.values(values)).rowcount)


def oldest_pending(conn: Connection) -> datetime | None:
    """When the oldest item still waiting to be sent was queued (for the outbox age)."""
    query = select(func.min(outbox.c.created_at)).where(outbox.c.status == "pending")
    found = conn.execute(query).scalar()
    return found if isinstance(found, datetime) else None


def _leased(item_id: int, owner: str) -> Any:
    return and_(outbox.c.id == item_id, outbox.c.lease_owner == owner)


@dataclass(frozen=True)
class Sent:
    """A send the carrier accepted, waiting to be recorded."""

    item_id: int
    provider: str
    provider_message_id: str | None


def record_sent(
    conn: Connection,
    item_id: int,
    owner: str,
    provider: str,
    provider_message_id: str | None,
    now: datetime,
) -> bool:
    return record_sent_many(conn, owner, [Sent(item_id, provider, provider_message_id)], now) == 1


def record_sent_many(conn: Connection, owner: str, sends: list[Sent], now: datetime) -> int:
    """Record a batch of sends in one UPDATE; returns how many were still ``owner``'s.

    A carrier message id a delivery report already tied to its item is kept.
    """
    if not sends:
        return 0
    by_id = outbox.c.id
    providers = {s.item_id: s.provider for s in sends}
    message_ids = {s.item_id: s.provider_message_id for s in sends if s.provider_message_id}
    values: dict[str, Any] = {
        "status": "sent",
        "sent_at": now,
        "provider": case(providers, value=by_id),
        "lease_owner": None,
        "lease_until": None,
        "in_doubt": False,
        "last_error": None,
    }
    if message_ids:
        values["provider_message_id"] = func.coalesce(
            outbox.c.provider_message_id, case(message_ids, value=by_id)
        )
    query = (
        update(outbox)
        .where(by_id.in_(list(providers)), outbox.c.lease_owner == owner)
        .values(values)
        .returning(by_id)
    )
    return len(conn.execute(query).all())


def record_failed(
    conn: Connection,
    item_id: int,
    owner: str,
    provider: str,
    error: str,
    retry_at: datetime | None,
    now: datetime,
    *,
    in_doubt: bool = False,
) -> bool:
    """Count a failed try; ``retry_at`` None means no more tries (dead letter)."""
    values = {
        "status": "pending" if retry_at else "dead",
        "next_attempt_at": retry_at or now,
        "last_error": error[:2000],
        "provider": provider,
        "lease_owner": None,
        "lease_until": None,
        "in_doubt": in_doubt,
    }
    return bool(conn.execute(update(outbox).where(_leased(item_id, owner)).values(values)).rowcount)


def record_delivery(
    conn: Connection,
    provider: str,
    provider_message_id: str,
    status: DeliveryStatus,
    error: str | None,
    now: datetime,
    *,
    outbox_id: int | None = None,
    root_id: int | None = None,
) -> int | None:
    """A carrier's delivery report; returns the outbox id it belongs to, if any.

    One UPDATE whose CASE applies the report only over a status it may replace
    (``domain.delivery``): two reports at once, in either order, end in the same state, as
    the database re-reads the row each of them locked. Twilio's callback names the outbox
    item (its URL carries the id), so a report that arrives before the worker recorded the
    send still ties the message id to the item.
    """
    if outbox_id is not None:
        where = and_(
            outbox.c.id == outbox_id,
            or_(
                outbox.c.provider_message_id.is_(None),
                outbox.c.provider_message_id == provider_message_id,
            ),
        )
    else:
        where = and_(
            outbox.c.provider == provider, outbox.c.provider_message_id == provider_message_id
        )
    if root_id is not None:
        in_root = select(messages.c.id).where(messages.c.root_id == root_id)
        where = and_(where, outbox.c.message_id.in_(in_root))
    current = outbox.c.delivery_status
    applies = or_(current.is_(None), current.in_([s.value for s in replaced_by(status)]))

    def unless_older(value: Any, column: Any) -> Any:
        return case((applies, value), else_=column)

    query = (
        update(outbox)
        .where(where)
        .values(
            provider_message_id=unless_older(provider_message_id, outbox.c.provider_message_id),
            delivery_status=unless_older(status.value, current),
            delivery_error=unless_older(error[:100] if error else None, outbox.c.delivery_error),
            delivery_updated_at=unless_older(now, outbox.c.delivery_updated_at),
        )
        .returning(outbox.c.id)
    )
    found = conn.execute(query).scalar()
    return int(found) if found is not None else None


def conversation_of(conn: Connection, item_id: int) -> int | None:
    query = (
        select(messages.c.conversation_id)
        .join(outbox, outbox.c.message_id == messages.c.id)
        .where(outbox.c.id == item_id)
    )
    found = conn.execute(query).scalar()
    return int(found) if found is not None else None


def retry(conn: Connection, root_id: int, item_id: int, now: datetime) -> bool:
    """A dead letter made due again, its tries counted from zero."""
    in_root = select(messages.c.id).where(messages.c.root_id == root_id)
    return bool(
        conn.execute(
            update(outbox)
            .where(
                outbox.c.id == item_id,
                outbox.c.status == "dead",
                outbox.c.message_id.in_(in_root),
            )
            .values(status="pending", attempts=0, next_attempt_at=now, in_doubt=False)
        ).rowcount
    )


def list_items(
    conn: Connection,
    root_id: int,
    status: str | None,
    limit: int = 200,
    *,
    with_contact: bool = False,
) -> list[dict[str, Any]]:
    """The root's outbox items, newest first; ``with_contact`` adds the contact's number."""
    query = (
        select(
            outbox.c.id,
            outbox.c.message_id,
            outbox.c.destination,
            outbox.c.status,
            outbox.c.attempts,
            outbox.c.next_attempt_at,
            outbox.c.last_error,
            outbox.c.sent_at,
            outbox.c.provider,
            outbox.c.provider_message_id,
            outbox.c.delivery_status,
            outbox.c.delivery_error,
            outbox.c.created_at,
            messages.c.channel,
        )
        .join(messages, messages.c.id == outbox.c.message_id)
        .where(messages.c.root_id == root_id)
        .order_by(outbox.c.id.desc())
        .limit(limit)
    )
    if status:
        query = query.where(outbox.c.status == status)
    if with_contact:
        query = query.join(
            conversations, conversations.c.id == messages.c.conversation_id
        ).add_columns(conversations.c.contact)
    return [dict(row._mapping) for row in conn.execute(query)]


def pending_count(conn: Connection) -> int:
    query = select(func.count()).select_from(outbox).where(outbox.c.status == "pending")
    return int(conn.execute(query).scalar_one())


def record_simulated(conn: Connection, item: OutboxItem, now: datetime) -> None:
    """The simulator's delivery, once per outbox item (the unique outbox id is the key):
    one INSERT that a second worker's copy of the same item leaves as it was."""
    dialect_insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    conn.execute(
        dialect_insert(simulator_deliveries)
        .values(
            outbox_id=item.id,
            side=item.destination,
            line_number=item.line_number,
            contact=item.contact,
            channel=item.channel,
            body=item.body,
            delivered_at=now,
        )
        .on_conflict_do_nothing(index_elements=["outbox_id"])
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
