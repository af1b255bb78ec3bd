"""An organization's outbox as people see it: its items, dead letters, sending one again."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Literal

from consentline.domain.errors import NotFound
from consentline.domain.phone import mask
from consentline.service import audit
from consentline.service.access import Principal, Privilege, visible_org
from consentline.service.unit_of_work import UnitOfWork
from consentline.store import outbox as outbox_store

OutboxStatus = Literal["pending", "sent", "dead"]


@dataclass(frozen=True)
class OutboxEntry:
    """One send of one message, as the API lists it; ``contact`` only where asked (masked)."""

    id: int
    message_id: int
    destination: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    sent_at: datetime | None
    provider: str | None
    provider_message_id: str | None
    delivery_status: str | None
    delivery_error: str | None
    created_at: datetime
    channel: str
    contact: str | None = None


@dataclass(frozen=True)
class Retried:
    id: int
    status: Literal["pending"] = "pending"


def _entry(row: dict[str, Any]) -> OutboxEntry:
    return OutboxEntry(**row)


def list_outbox(
    uow: UnitOfWork, principal: Principal, org_id: int, status: OutboxStatus | None
) -> list[OutboxEntry]:
    """The outbox of the organization's enterprise, newest first (at most 200)."""
    org = visible_org(uow.connection, principal, org_id)
    principal.require(Privilege.SETUP)
    return [_entry(row) for row in outbox_store.list_items(uow.connection, org.root_id, status)]


def dead_letters(uow: UnitOfWork, principal: Principal, org_id: int) -> list[OutboxEntry]:
    """The dead letters of the organization's enterprise, newest first, contacts masked."""
    org = visible_org(uow.connection, principal, org_id)
    principal.require(Privilege.SETUP)
    items = outbox_store.list_items(uow.connection, org.root_id, "dead", with_contact=True)
    return [replace(entry, contact=mask(entry.contact or "")) for entry in map(_entry, items)]


def retry_dead_letter(
    uow: UnitOfWork, principal: Principal, org_id: int, item_id: int, now: datetime
) -> Retried:
    """Send a dead letter again, its tries counted from zero."""
    org = visible_org(uow.connection, principal, org_id)
    principal.require(Privilege.SETUP)
    if not outbox_store.retry(uow.connection, org.root_id, item_id, now):
        raise NotFound(f"No dead letter {item_id}.", code="not_dead_letter")
    audit.record(uow, principal, "outbox.retried", "outbox_item", item_id, at=now, org=org)
    uow.commit()
    return Retried(item_id)
