"""Retention: how long an organization's archive is kept, and the legal hold that stops purges.

The default is six years (FINRA Rule 4511 with SEA Rule 17a-4). A purge removes whole
conversations whose newest record is older than the retention period; the conversation row
and its consent state stay (an opted-out contact stays opted out). Each purge writes a
'purge' checkpoint naming every purged conversation with its chain length and head, so
``archive verify`` knows where each chain now starts and that the gap is a purge, not
tampering. A legal hold blocks every purge of the organization.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, delete, func, insert, select, update

from consentline.domain.errors import Conflict, InvalidInput
from consentline.store import checkpoints
from consentline.store.compliance_tables import archive_retention, salesforce_outbox
from consentline.store.tables import (
    consent_events,
    conversations,
    holds,
    message_events,
    messages,
    outbox,
    simulator_deliveries,
)

DEFAULT_RETENTION_DAYS = 6 * 365 + 2  # six years, leap days included
MIN_RETENTION_DAYS = 365


@dataclass(frozen=True)
class Retention:
    retention_days: int = DEFAULT_RETENTION_DAYS
    legal_hold: bool = False
    legal_hold_reason: str | None = None


@dataclass(frozen=True)
class PurgeResult:
    root_id: int
    conversations: int
    records: int
    checkpoint_hash: str | None


def policy_for(conn: Connection, root_id: int) -> Retention:
    row = conn.execute(
        select(archive_retention).where(archive_retention.c.root_id == root_id)
    ).first()
    if row is None:
        return Retention()
    return Retention(row.retention_days, bool(row.legal_hold), row.legal_hold_reason)


def set_policy(
    conn: Connection,
    root_id: int,
    actor: str,
    now: datetime,
    *,
    retention_days: int | None = None,
    legal_hold: bool | None = None,
    reason: str | None = None,
) -> Retention:
    current = policy_for(conn, root_id)
    days = current.retention_days if retention_days is None else retention_days
    if days < MIN_RETENTION_DAYS:
        raise InvalidInput(
            f"Retention is at least {MIN_RETENTION_DAYS} days.", code="retention_too_short"
        )
    hold = current.legal_hold if legal_hold is None else legal_hold
    if legal_hold is True and not (reason or "").strip():
        raise InvalidInput("A legal hold needs a reason.", code="hold_reason_required")
    values = {
        "retention_days": days,
        "legal_hold": hold,
        "legal_hold_reason": (reason or current.legal_hold_reason) if hold else None,
        "updated_by": actor,
        "updated_at": now,
    }
    changed = conn.execute(
        update(archive_retention).where(archive_retention.c.root_id == root_id).values(**values)
    ).rowcount
    if not changed:
        conn.execute(insert(archive_retention).values(root_id=root_id, **values))
    return policy_for(conn, root_id)


def purgeable(conn: Connection, root_id: int, cutoff: datetime) -> list[tuple[int, int, str]]:
    """Conversations with records, nothing newer than ``cutoff`` and nothing held."""
    newest = []
    for table in (messages, message_events, consent_events):
        newest.append(
            select(table.c.conversation_id, func.max(table.c.created_at).label("at")).group_by(
                table.c.conversation_id
            )
        )
    union = newest[0].union_all(*newest[1:]).subquery()
    recent = select(union.c.conversation_id).where(union.c.at >= cutoff)
    held = select(holds.c.conversation_id)
    query = (
        select(conversations.c.id, conversations.c.chain_length, conversations.c.chain_head)
        .where(
            conversations.c.root_id == root_id,
            conversations.c.chain_length > 0,
            conversations.c.id.not_in(recent),
            conversations.c.id.not_in(held),
            conversations.c.id.in_(select(messages.c.conversation_id)),
        )
        .order_by(conversations.c.id)
    )
    return [(row.id, row.chain_length, row.chain_head) for row in conn.execute(query)]


def purge(conn: Connection, root_id: int, now: datetime, *, dry_run: bool = False) -> PurgeResult:
    """Remove conversations past retention, unless the organization is on legal hold."""
    policy = policy_for(conn, root_id)
    if policy.legal_hold:
        raise Conflict(
            f"Organization {root_id} is on legal hold ({policy.legal_hold_reason}); "
            "nothing may be purged until the hold is released.",
            code="legal_hold",
        )
    cutoff = now - timedelta(days=policy.retention_days)
    due = purgeable(conn, root_id, cutoff)
    if due and not dry_run and conn.dialect.name == "postgresql":
        # Lock the candidates (as every event does), then look again: a message that
        # arrived meanwhile takes its conversation out of the purge.
        candidates = [cid for cid, _, _ in due]
        conn.execute(
            select(conversations.c.id)
            .where(conversations.c.id.in_(candidates))
            .order_by(conversations.c.id)
            .with_for_update()
        ).all()
        due = [entry for entry in purgeable(conn, root_id, cutoff) if entry[0] in candidates]
    if dry_run or not due:
        return PurgeResult(root_id, len(due), 0, None)
    ids = [cid for cid, _, _ in due]
    removed = 0
    for start in range(0, len(ids), 500):
        batch = ids[start : start + 500]
        message_ids = select(messages.c.id).where(messages.c.conversation_id.in_(batch))
        event_ids = select(consent_events.c.id).where(consent_events.c.conversation_id.in_(batch))
        outbox_ids = select(outbox.c.id).where(outbox.c.message_id.in_(message_ids))
        conn.execute(
            delete(simulator_deliveries).where(simulator_deliveries.c.outbox_id.in_(outbox_ids))
        )
        conn.execute(delete(outbox).where(outbox.c.message_id.in_(message_ids)))
        conn.execute(
            delete(salesforce_outbox).where(salesforce_outbox.c.consent_event_id.in_(event_ids))
        )
        for table in (message_events, consent_events, messages):
            removed += conn.execute(
                delete(table).where(table.c.conversation_id.in_(batch))
            ).rowcount
    sealed = checkpoints.record(conn, root_id, "purge", due, now)
    return PurgeResult(root_id, len(due), removed, sealed.hash)
