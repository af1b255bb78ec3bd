"""Held messages past hold_max_age expire in the background sweep; nothing is sent."""

from __future__ import annotations

from sqlalchemy import func, select

from consentline.service.expiry import expire_overdue
from consentline.service.unit_of_work import UnitsOfWork
from consentline.store.tables import holds, outbox
from tests.integration.conftest import Gateway

CONTACT = "+15550008001"


def _held_bodies(gateway: Gateway) -> dict[str, str]:
    messages = gateway.conversation(CONTACT)["messages"]
    assert isinstance(messages, list)
    return {m["body"]: m["status"] for m in messages if m["kind"] == "user"}


def test_the_sweep_expires_only_messages_past_the_limit(gateway: Gateway) -> None:
    gateway.inbound(CONTACT, "first")
    gateway.clock.advance(days=3)
    gateway.inbound(CONTACT, "second")
    with gateway.engine.connect() as conn:
        queued = conn.execute(select(func.count()).select_from(outbox)).scalar_one()

    gateway.clock.advance(days=4, seconds=1)  # "first" is now 7 days and 1 second old
    assert expire_overdue(UnitsOfWork(gateway.engine), gateway.clock) == 1
    assert _held_bodies(gateway) == {"first": "expired", "second": "held"}
    assert gateway.conversation(CONTACT)["consent"]["state"] == "pending"  # type: ignore[index]

    assert expire_overdue(UnitsOfWork(gateway.engine), gateway.clock) == 0  # nothing twice
    with gateway.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(outbox)).scalar_one() == queued
        assert conn.execute(select(func.count()).select_from(holds)).scalar_one() == 1

    gateway.inbound(CONTACT, "YES")
    assert _held_bodies(gateway) == {"first": "expired", "second": "delivered", "YES": "keyword"}
