"""An organization's outbox as people see it: dead letters, and sending one again."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from consentline.domain.errors import NotFound
from consentline.domain.phone import mask
from consentline.service import audit
from consentline.service.access import Principal, Privilege, visible_org
from consentline.service.unit_of_work import UnitOfWork
from consentline.store import outbox as outbox_store


def dead_letters(uow: UnitOfWork, principal: Principal, org_id: int) -> list[dict[str, Any]]:
    """The dead letters of the organization's enterprise, newest first, contacts masked."""
    org = visible_org(uow.connection, principal, org_id)
    principal.require(Privilege.SETUP)
    items = outbox_store.list_items(uow.connection, org.root_id, "dead", with_contact=True)
    return [{**item, "contact": mask(item["contact"])} for item in items]


def retry_dead_letter(
    uow: UnitOfWork, principal: Principal, org_id: int, item_id: int, now: datetime
) -> None:
    """Send a dead letter again, its tries counted from zero."""
    org = visible_org(uow.connection, principal, org_id)
    principal.require(Privilege.SETUP)
    if not outbox_store.retry(uow.connection, org.root_id, item_id, now):
        raise NotFound(f"No dead letter {item_id}.", code="not_dead_letter")
    audit.record(uow, principal, "outbox.retried", "outbox_item", item_id, at=now, org=org)
    uow.commit()
