"""The built-in simulator: "sends" by storing what each phone would show."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Engine

from consentline.service.unit_of_work import UnitOfWork
from consentline.store import outbox as outbox_store
from consentline.store.outbox import OutboxItem


class SimulatorProvider:
    """Serves both sides: the contact's phone and the employee's app.

    Its store is keyed by the outbox id, so sending an item twice records it once: the
    simulator is idempotent, and a retry after a crash is always safe.
    """

    name = "simulator"
    idempotent = True

    def __init__(
        self, engine: Engine, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self._engine = engine
        self._clock = clock

    def send(self, item: OutboxItem) -> str | None:
        with UnitOfWork(self._engine) as uow:
            outbox_store.record_simulated(uow.connection, item, self._clock())
            uow.commit()
        return f"sim-{item.id}"
