"""The Salesforce outbox: consent events waiting to reach their organization's Salesforce.

``enqueue`` adds every requested / opted-in / opted-out consent event of an organization
with an enabled connection, once (the event id is the key). ``push_due`` sends what is due,
each as an upsert keyed by the event id in the org's external id field: a retry after a lost
answer lands on the same Salesforce record, never a second one. It is the same leased queue
as the carriers' outbox (``store.queue``): events are leased before they are sent, failures
back off exponentially with full jitter (``domain.retry``), and a record Salesforce rejects
(4xx) or that keeps failing is a dead letter, its error kept for an operator.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
from sqlalchemy import Connection, Engine, and_, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import aliased

from consentline.domain.retry import backoff
from consentline.salesforce.client import (
    LoginFailed,
    Rejected,
    Retryable,
    SalesforceClient,
    SalesforceSettings,
)
from consentline.store import queue
from consentline.store.compliance_tables import salesforce_connections, salesforce_outbox
from consentline.store.tables import consent_events, conversations, lines, messages, orgs

EVENTS = {"pending": "requested", "opted_in": "opted_in", "opted_out": "opted_out"}
MAX_ATTEMPTS = 10
BASE_DELAY = 30.0
DEFAULT_OBJECT = "ConsentLine_Consent_Event__c"
DEFAULT_EXTERNAL_ID = "ConsentLine_Event_Id__c"
DEFAULT_VERSION = "59.0"
LEASE = timedelta(minutes=15)
"""How long a pass holds the events it leased; longer than its sends take."""
_KEY = salesforce_outbox.c.consent_event_id


@dataclass(frozen=True)
class SyncResult:
    enqueued: int
    sent: int
    failed: int
    dead: int


def connect(conn: Connection, root_id: int, settings: SalesforceSettings, now: datetime) -> None:
    """Create or replace the organization's connection (enabled)."""
    values = {
        "login_url": settings.login_url,
        "api_version": settings.api_version,
        "client_id": settings.client_id,
        "client_secret": settings.client_secret,
        "username": settings.username,
        "password": settings.password,
        "sobject": settings.sobject,
        "external_id_field": settings.external_id_field,
        "enabled": True,
    }
    changed = conn.execute(
        update(salesforce_connections)
        .where(salesforce_connections.c.root_id == root_id)
        .values(**values)
    ).rowcount
    if not changed:
        conn.execute(
            insert(salesforce_connections).values(root_id=root_id, created_at=now, **values)
        )


def enqueue(conn: Connection, now: datetime) -> int:
    """Add the consent events not yet queued, for every enabled connection."""
    queued = select(salesforce_outbox.c.consent_event_id)
    query = (
        select(
            consent_events.c.id,
            conversations.c.root_id,
        )
        .join(conversations, conversations.c.id == consent_events.c.conversation_id)
        .join(
            salesforce_connections,
            and_(
                salesforce_connections.c.root_id == conversations.c.root_id,
                salesforce_connections.c.enabled.is_(True),
            ),
        )
        .where(consent_events.c.new_state.in_(list(EVENTS)))
        .where(consent_events.c.id.not_in(queued))
    )
    rows = [
        {
            "consent_event_id": row.id,
            "root_id": row.root_id,
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": now,
        }
        for row in conn.execute(query)
    ]
    if not rows:
        return 0
    dialect_insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    statement = dialect_insert(salesforce_outbox).on_conflict_do_nothing()
    inserted = conn.execute(statement, rows).rowcount
    # psycopg reports -1 for a batch; then the candidates are the best count there is.
    return len(rows) if inserted is None or inserted < 0 else int(inserted)


def retry_dead(conn: Connection, root_id: int, now: datetime, event_id: int | None = None) -> int:
    """Make the organization's dead letters (or one of them) due again; returns how many."""
    where = salesforce_outbox.c.root_id == root_id
    if event_id is not None:
        where = and_(where, salesforce_outbox.c.consent_event_id == event_id)
    return queue.revive(conn, salesforce_outbox, now, where)


def record_fields(row: Any) -> dict[str, Any]:
    """The Salesforce record of one consent event."""
    return {
        "Event__c": EVENTS[row.new_state],
        "Organization__c": row.organization,
        "Employee__c": row.employee,
        "Line__c": row.line,
        "Contact_Phone__c": row.contact,
        "Channel__c": row.channel,
        "Mode__c": row.mode,
        "Previous_State__c": row.old_state,
        "New_State__c": row.new_state,
        "Initiated_By__c": row.initiated_by,
        "Message__c": row.body,
        "Occurred_At__c": row.created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
    }


def _claimed(conn: Connection, event_ids: list[int]) -> list[Any]:
    root = aliased(orgs, name="root_org")
    query = (
        select(
            salesforce_outbox.c.consent_event_id,
            salesforce_outbox.c.root_id,
            salesforce_outbox.c.attempts,
            consent_events.c.old_state,
            consent_events.c.new_state,
            consent_events.c.mode,
            consent_events.c.initiated_by,
            consent_events.c.created_at,
            conversations.c.contact,
            conversations.c.channel,
            lines.c.number.label("line"),
            lines.c.employee_name.label("employee"),
            root.c.name.label("organization"),
            messages.c.body,
        )
        .join(consent_events, consent_events.c.id == salesforce_outbox.c.consent_event_id)
        .join(conversations, conversations.c.id == consent_events.c.conversation_id)
        .join(lines, lines.c.id == conversations.c.line_id)
        .join(root, root.c.id == conversations.c.root_id)
        .outerjoin(messages, messages.c.id == consent_events.c.message_id)
        .where(salesforce_outbox.c.consent_event_id.in_(event_ids))
        .order_by(salesforce_outbox.c.root_id, salesforce_outbox.c.consent_event_id)
    )
    return list(conn.execute(query))


def _settings(conn: Connection, root_id: int) -> SalesforceSettings | None:
    row = conn.execute(
        select(salesforce_connections).where(
            salesforce_connections.c.root_id == root_id,
            salesforce_connections.c.enabled.is_(True),
        )
    ).first()
    if row is None:
        return None
    return SalesforceSettings(
        row.login_url,
        row.api_version,
        row.client_id,
        row.client_secret,
        row.username,
        row.password,
        row.sobject,
        row.external_id_field,
    )


def _settle(engine: Engine, event_id: int, owner: str, **values: Any) -> None:
    with engine.begin() as conn:
        queue.settle(conn, salesforce_outbox, _KEY, event_id, owner, **values)


def _backoff(attempts: int) -> timedelta:
    """30 s doubling per try (up to 6 hours), with full jitter as carrier sends have."""
    return backoff(attempts - 1, base=BASE_DELAY, cap=6 * 3600.0)


def push_due(
    engine: Engine,
    clock: Callable[[], datetime],
    session: requests.Session | None = None,
    limit: int = 500,
    *,
    owner: str | None = None,
    lease: timedelta = LEASE,
) -> SyncResult:
    """Enqueue new events and lease the due ones (one transaction), then send each outside
    any transaction and record its outcome under the lease: two ``salesforce sync``
    processes never push the same event at once."""
    owner = owner or f"salesforce:{uuid.uuid4().hex[:12]}"
    connected = select(salesforce_connections.c.root_id).where(
        salesforce_connections.c.enabled.is_(True)
    )
    with engine.begin() as conn:
        enqueued = enqueue(conn, clock())
        event_ids = queue.claim_keys(
            conn,
            salesforce_outbox,
            _KEY,
            clock(),
            limit,
            owner,
            lease,
            order_by=[salesforce_outbox.c.root_id, _KEY],
            where=salesforce_outbox.c.root_id.in_(connected),
        )
        due = _claimed(conn, event_ids) if event_ids else []
        settings = {root: _settings(conn, root) for root in {row.root_id for row in due}}
    clients = {root: SalesforceClient(found, session) for root, found in settings.items() if found}
    sent = failed = dead = 0
    for row in due:
        client = clients[row.root_id]
        attempts = row.attempts  # this try included
        try:
            salesforce_id = client.upsert(str(row.consent_event_id), record_fields(row))
        except (Retryable, LoginFailed) as error:
            outcome = queue.retry_at(clock(), attempts, MAX_ATTEMPTS, _backoff(attempts))
            _settle(engine, row.consent_event_id, owner, last_error=str(error), **outcome)
            failed += 1
            dead += outcome["status"] == "dead"
            continue
        except Rejected as error:
            _settle(engine, row.consent_event_id, owner, last_error=str(error), status="dead")
            dead += 1
            continue
        _settle(
            engine,
            row.consent_event_id,
            owner,
            status="sent",
            salesforce_id=salesforce_id,
            sent_at=clock(),
            last_error=None,
        )
        sent += 1
    return SyncResult(enqueued, sent, failed, dead)
