"""What the built-in simulator delivered for a line: the contact's phone and the employee's
app, as the two-phones page and the API show them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from consentline.domain.phone import to_e164
from consentline.service.access import Principal, Privilege
from consentline.service.messaging import find_line, line_ref
from consentline.service.unit_of_work import UnitOfWork
from consentline.store import outbox as outbox_store


@dataclass(frozen=True)
class SimulatedDelivery:
    side: str
    contact: str
    channel: str
    body: str
    delivered_at: datetime


def deliveries(
    uow: UnitOfWork, principal: Principal, line: str, contact: str | None, region: str = "US"
) -> list[SimulatedDelivery]:
    """Oldest first; ``contact``: only that contact's phone."""
    principal.require(Privilege.MESSAGING)
    found = find_line(uow.connection, principal, line_ref(line), region)
    number = to_e164(contact, region) if contact else None
    return [
        SimulatedDelivery(
            row["side"], row["contact"], row["channel"], row["body"], row["delivered_at"]
        )
        for row in outbox_store.simulated_deliveries(uow.connection, found.number, number)
    ]
