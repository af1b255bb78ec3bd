"""The outbox worker: sends what decisions committed, retrying with backoff.

One pass: lease a batch of due items in one short transaction, send each one OUTSIDE any
transaction, and record the sends of the batch together in one UPDATE (a failure, and a send
on a carrier that cannot later say whether it went out, are recorded at once). A worker that
dies mid-send leaves its items leased and ``in_doubt``; when the lease runs out another pass
picks them up and, before sending again, asks the carrier whether the first attempt went out
(see README, "Exactly once").
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine

from consentline.domain.retry import backoff
from consentline.service.carrier_optout import mirror_opt_out
from consentline.service.sending import (
    BatchRouter,
    FixedProviders,
    Provider,
    ProviderRouter,
    Reconciling,
    SendError,
    settles_doubt,
)
from consentline.service.unit_of_work import UnitOfWork
from consentline.store import outbox as outbox_store
from consentline.store.failures import DATABASE_ERRORS
from consentline.store.outbox import OutboxItem, Sent

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]

MAX_PAUSE_SECONDS = 10.0
"""The longest the worker waits between passes while the database keeps failing."""


def worker_id() -> str:
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


# How long released items wait before they are due again: the database just failed.
RELEASE_BACKOFF = timedelta(seconds=2)
Unfinished = list[tuple[OutboxItem, bool]]
"""Claimed items a pass could not finish, each with whether it may have been sent."""


class BatchInterrupted(Exception):
    """The database failed mid-batch. ``unreleased`` are the claimed items that could not
    be given back yet (the database is still failing): release them with ``release_items``
    once it answers, or their lease runs out."""

    def __init__(self, unreleased: Unfinished) -> None:
        super().__init__(f"outbox pass interrupted; {len(unreleased)} items still leased")
        self.unreleased = unreleased


class _DatabaseFailed(Exception):
    """Looking up the item's carrier failed on the database: not a failed send."""


@dataclass
class _Stage:
    maybe_sent: bool = False
    """Whether the item was handed to its carrier and the outcome not recorded."""


@dataclass
class _Batch:
    """One pass's claimed items and the sends not recorded yet."""

    engine: Engine
    owner: str
    clock: Clock
    items: dict[int, OutboxItem]
    unrecorded: list[Sent] = field(default_factory=list)

    def sent(self, send: Sent) -> None:
        self.unrecorded.append(send)

    def record(self, connection: Connection) -> None:
        """Write the unrecorded sends (one statement) in the caller's transaction; forgets
        them only once that transaction commits (``recorded``)."""
        outbox_store.record_sent_many(connection, self.owner, self.unrecorded, self.clock())

    def recorded(self) -> None:
        self.unrecorded = []

    def flush(self) -> None:
        if not self.unrecorded:
            return
        with UnitOfWork(self.engine) as uow:
            self.record(uow.connection)
            uow.commit()
        self.recorded()

    def unrecorded_items(self) -> Unfinished:
        return [(self.items[send.item_id], True) for send in self.unrecorded]


def deliver_due(
    engine: Engine,
    providers: ProviderRouter | Mapping[str, Provider],
    clock: Clock,
    *,
    limit: int = 20,
    max_attempts: int = 8,
    lease_seconds: float = 120.0,
    owner: str | None = None,
) -> int:
    """Send every due outbox item once; returns how many were sent."""
    router = FixedProviders(providers) if isinstance(providers, Mapping) else providers
    owner = owner or worker_id()
    lease = timedelta(seconds=lease_seconds)
    claimed_at = clock()
    with UnitOfWork(engine) as uow:
        items = outbox_store.claim(uow.connection, claimed_at, limit, owner, lease)
        uow.commit()
    if not items:
        return 0
    batch = _Batch(engine, owner, clock, {item.id: item for item in items})
    # Until half the lease is spent nobody else can take these items; after that (a slow
    # batch) each item's lease is renewed before its send, and one lost is not ours to send.
    fresh_until = claimed_at + lease / 2
    sent = 0
    route: ProviderRouter | None = None
    for index, item in enumerate(items):
        stage = _Stage()
        try:
            if route is None:
                route = (
                    router.for_batch(engine, items) if isinstance(router, BatchRouter) else router
                )
            if clock() >= fresh_until and not _renew(batch, item, lease):
                continue
            sent += _deliver_one(engine, route, clock, item, max_attempts, stage, batch)
        except Exception as error:
            unrecorded = batch.unrecorded_items()
            current = [] if item.id in {i.id for i, _ in unrecorded} else [(item, stage.maybe_sent)]
            rest = [(later, False) for later in items[index + 1 :]]
            unfinished = [*unrecorded, *current, *rest]
            raise BatchInterrupted(
                release_items(engine, unfinished, owner, clock() + RELEASE_BACKOFF)
            ) from error
    try:
        batch.flush()
    except Exception as error:
        unfinished = batch.unrecorded_items()
        raise BatchInterrupted(
            release_items(engine, unfinished, owner, clock() + RELEASE_BACKOFF)
        ) from error
    return sent


def _renew(batch: _Batch, item: OutboxItem, lease: timedelta) -> bool:
    with UnitOfWork(batch.engine) as uow:
        batch.record(uow.connection)
        still_ours = outbox_store.renew(uow.connection, item.id, batch.owner, batch.clock(), lease)
        uow.commit()
    batch.recorded()
    return still_ours


def release_items(
    engine: Engine, unfinished: Unfinished, owner: str, retry_at: datetime
) -> Unfinished:
    """Give back items at once, for a retry at ``retry_at``; returns those that could not
    be (the database still fails), to try again later."""
    if not unfinished:
        return []
    try:
        with UnitOfWork(engine) as uow:
            for item, maybe_sent in unfinished:
                outbox_store.release(uow.connection, item, owner, retry_at, maybe_sent=maybe_sent)
            uow.commit()
    except Exception as error:
        log.warning(
            "could not release %d outbox items yet: %s", len(unfinished), type(error).__name__
        )
        return unfinished
    log.info("released %d outbox items for a retry", len(unfinished))
    return []


def _deliver_one(
    engine: Engine,
    router: ProviderRouter,
    clock: Clock,
    item: OutboxItem,
    max_attempts: int,
    stage: _Stage,
    batch: _Batch,
) -> int:
    provider_name = "unknown"
    try:
        try:
            provider = router.provider_for(engine, item)
        except DATABASE_ERRORS:
            raise _DatabaseFailed from None
        provider_name = provider.name
        stage.maybe_sent = True
        message_id = _send(provider, item)
    except _DatabaseFailed:
        raise
    except Exception as error:
        failure = error if isinstance(error, SendError) else SendError(repr(error))
        if not isinstance(error, SendError):
            log.warning("send of outbox item %s failed: %s", item.id, type(error).__name__)
        else:
            log.warning("send of outbox item %s failed: %s", item.id, error.code or "error")
        stage.maybe_sent = failure.in_doubt
        now = clock()
        final = not failure.retryable or item.attempts + 1 >= max_attempts
        retry_at = None if final else now + backoff(item.attempts)
        with UnitOfWork(engine) as uow:
            batch.record(uow.connection)  # the sends before it, in the same transaction
            outbox_store.record_failed(
                uow.connection,
                item.id,
                batch.owner,
                provider_name,
                str(failure),
                retry_at,
                now,
                in_doubt=failure.in_doubt,
            )
            if failure.opted_out:
                source = f"{provider_name}:{failure.code or 'opted_out'}"
                mirror_opt_out(uow, item.conversation_id, source, now)
            uow.commit()
        batch.recorded()
        return 0
    batch.sent(Sent(item.id, provider_name, message_id))
    if not settles_doubt(provider):
        # A crash before this is recorded would leave a doubt only a person can settle.
        batch.flush()
    return 1


def _send(provider: Provider, item: OutboxItem) -> str | None:
    """One attempt; an attempt whose predecessor's outcome is unknown is reconciled first."""
    if item.in_doubt:
        if item.provider_message_id:  # a delivery report already tied it to the carrier
            return item.provider_message_id
        if isinstance(provider, Reconciling):
            found = provider.find_sent(item)
            if found:
                log.info("outbox item %s had already gone out; not sending again", item.id)
                return found
        elif not getattr(provider, "idempotent", False):
            raise SendError(
                "An earlier attempt may have been sent and the carrier cannot say; "
                "check with the contact, then retry this dead letter to send it again.",
                code="outcome_unknown",
                retryable=False,
            )
    return provider.send(item)


class OutboxWorker:
    """A background thread that drains the outbox; ``wake`` makes it look at once."""

    def __init__(
        self,
        engine: Engine,
        providers: ProviderRouter | Mapping[str, Provider],
        clock: Clock,
        *,
        interval: float = 1.0,
        housekeeping: Callable[[], object] | None = None,
        housekeeping_every: float = 30.0,
        max_attempts: int = 8,
        lease_seconds: float = 120.0,
        batch: int = 20,
    ) -> None:
        self._engine = engine
        self._batch = batch
        self._providers = providers
        self._clock = clock
        self._interval = interval
        self._housekeeping = housekeeping
        self._housekeeping_every = housekeeping_every
        self._max_attempts = max_attempts
        self._lease_seconds = lease_seconds
        self._owner = worker_id()
        self._unreleased: Unfinished = []
        self._failures = 0
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self.run, name="outbox-worker", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)

    def run(self) -> None:
        """Drain the outbox until ``stop``: in this thread (``consentline worker``) or in
        the background thread ``start`` begins."""
        last_housekeeping = 0.0
        while not self._stop.is_set():
            try:
                self._pass()
                if time.monotonic() - last_housekeeping >= self._housekeeping_every:
                    last_housekeeping = time.monotonic()
                    if self._housekeeping:
                        self._housekeeping()
                self._failures = 0
            except Exception as error:
                self._failures += 1
                if isinstance(error, BatchInterrupted):
                    self._unreleased = error.unreleased
                # The cause's type only: its text may quote values (numbers, bodies).
                cause = error.__cause__ or error
                log.warning(
                    "outbox worker pass failed (%s); trying again in %.1f s",
                    type(cause).__name__,
                    self._pause(),
                )
            self._wake.wait(self._pause())
            self._wake.clear()

    def _pass(self) -> None:
        if self._unreleased:  # what a failed pass could not give back, now the database answers
            self._unreleased = release_items(
                self._engine, self._unreleased, self._owner, self._clock()
            )
            if self._unreleased:
                raise RuntimeError("the database still fails")
        while deliver_due(
            self._engine,
            self._providers,
            self._clock,
            limit=self._batch,
            max_attempts=self._max_attempts,
            lease_seconds=self._lease_seconds,
            owner=self._owner,
        ):
            if self._stop.is_set():
                return

    def _pause(self) -> float:
        """The interval, doubled for each pass in a row that failed (up to MAX_PAUSE)."""
        return min(MAX_PAUSE_SECONDS, self._interval * 2.0 ** min(self._failures, 10))
