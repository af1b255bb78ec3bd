"""The built-in simulator: "sends" by storing what each phone would show."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from consentline.store import outbox as outbox_store
from consentline.store.outbox import OutboxItem


class SimulatorProvider:
    """Serves both sides: the contact's phone and the employee's app."""

    name = "simulator"

    def send(self, conn: Connection, item: OutboxItem, now: datetime) -> str | None:
        # Stored in the outbox's own transaction, so a delivery is recorded exactly once.
        outbox_store.record_simulated(conn, item, now)
        return f"sim-{item.id}"
