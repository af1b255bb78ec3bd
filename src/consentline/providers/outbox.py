"""The outbox worker: sends what decisions committed, retrying with backoff."""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import Connection, Engine

from consentline.service.unit_of_work import UnitOfWork
from consentline.store import outbox as outbox_store
from consentline.store.outbox import OutboxItem

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


class Provider(Protocol):
    name: str

    def send(self, conn: Connection, item: OutboxItem, now: datetime) -> str | None: ...


def backoff(attempts: int, base: float = 2.0, cap: float = 3600.0) -> timedelta:
    """Exponential backoff with full jitter."""
    return timedelta(seconds=random.uniform(0, min(cap, base * 2**attempts)))  # noqa: S311


def deliver_due(
    engine: Engine,
    providers: dict[str, Provider],
    clock: Clock,
    *,
    limit: int = 100,
    max_attempts: int = 8,
) -> int:
    """Send every due outbox item once; returns how many were sent."""
    sent = 0
    with UnitOfWork(engine) as uow:
        now = clock()
        for item in outbox_store.claim_due(uow.connection, now, limit):
            provider = providers[item.destination]
            try:
                # A savepoint, so a failed send leaves nothing half-written behind.
                with uow.connection.begin_nested():
                    provider.send(uow.connection, item, now)
            except Exception as error:  # any provider failure is retried
                final = item.attempts + 1 >= max_attempts
                retry_at = None if final else now + backoff(item.attempts)
                log.warning("send of outbox item %s failed: %s", item.id, type(error).__name__)
                outbox_store.mark_failed(uow.connection, item.id, repr(error), retry_at, now)
            else:
                outbox_store.mark_sent(uow.connection, item.id, now)
                sent += 1
        uow.commit()
    return sent


class OutboxWorker:
    """A background thread that drains the outbox; ``wake`` makes it look at once."""

    def __init__(
        self,
        engine: Engine,
        providers: dict[str, Provider],
        clock: Clock,
        *,
        interval: float = 1.0,
        housekeeping: Callable[[], object] | None = None,
        housekeeping_every: float = 30.0,
    ) -> None:
        self._engine = engine
        self._providers = providers
        self._clock = clock
        self._interval = interval
        self._housekeeping = housekeeping
        self._housekeeping_every = housekeeping_every
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="outbox-worker", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        last_housekeeping = 0.0
        while not self._stop.is_set():
            try:
                while deliver_due(self._engine, self._providers, self._clock):
                    pass
                due = time.monotonic() - last_housekeeping >= self._housekeeping_every
                if self._housekeeping and due:
                    last_housekeeping = time.monotonic()
                    self._housekeeping()
            except Exception:
                log.exception("outbox worker pass failed; trying again")
            self._wake.wait(self._interval)
            self._wake.clear()
