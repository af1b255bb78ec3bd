"""What the built-in simulator delivered: the contact's phone and the employee's app."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from consentline.api.deps import ConfigDep, PrincipalDep, RequireMessaging, UowDep
from consentline.api.errors import ERROR_RESPONSES
from consentline.service import simulator

router = APIRouter(prefix="/api/v1/simulator", tags=["simulator"], responses=ERROR_RESPONSES)


class DeliveryPublic(BaseModel):
    side: str = Field(description="contact or employee: whose phone it reached.")
    contact: str
    channel: str
    body: str
    delivered_at: str


class DeliveriesPublic(BaseModel):
    deliveries: list[DeliveryPublic]


@router.get("/deliveries", dependencies=[RequireMessaging])
def deliveries(
    uow: UowDep,
    principal: PrincipalDep,
    config: ConfigDep,
    line: Annotated[str, Query(description="The line's number, or its id.")],
    contact: Annotated[str | None, Query(description="Only this contact's phone.")] = None,
) -> DeliveriesPublic:
    """Messages the simulator delivered for a line, oldest first, with the side they went to."""
    found = simulator.deliveries(uow, principal, line, contact, config.default_region)
    return DeliveriesPublic(
        deliveries=[
            DeliveryPublic(
                side=each.side,
                contact=each.contact,
                channel=each.channel,
                body=each.body,
                delivered_at=each.delivered_at.isoformat(),  # "+00:00", as it always wrote
            )
            for each in found
        ]
    )
