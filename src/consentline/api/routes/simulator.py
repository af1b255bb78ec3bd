"""What the built-in simulator delivered: the contact's phone and the employee's app."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from consentline.api.deps import ConfigDep, PrincipalDep, UowDep
from consentline.api.errors import ERROR_RESPONSES
from consentline.domain.phone import to_e164
from consentline.service.access import Privilege
from consentline.service.messaging import find_line, line_ref
from consentline.store import outbox as outbox_store

router = APIRouter(prefix="/api/v1/simulator", tags=["simulator"], responses=ERROR_RESPONSES)


@router.get("/deliveries")
def deliveries(
    uow: UowDep,
    principal: PrincipalDep,
    config: ConfigDep,
    line: Annotated[str, Query(description="The line's number, or its id.")],
    contact: Annotated[str | None, Query(description="Only this contact's phone.")] = None,
) -> dict[str, list[dict[str, Any]]]:
    """Messages the simulator delivered for a line, oldest first, with the side they went to."""
    principal.require(Privilege.MESSAGING)
    found = find_line(uow.connection, principal, line_ref(line), config.default_region)
    number = to_e164(contact, config.default_region) if contact else None
    rows = outbox_store.simulated_deliveries(uow.connection, found.number, number)
    return {
        "deliveries": [
            {
                "side": row["side"],
                "contact": row["contact"],
                "channel": row["channel"],
                "body": row["body"],
                "delivered_at": row["delivered_at"].isoformat(),
            }
            for row in rows
        ]
    }
