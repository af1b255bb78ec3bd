"""Request dependencies with short aliases: the unit of work, the caller, the time."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Annotated

import anyio
from fastapi import Depends, Header, Request

from consentline.config import Config
from consentline.service.access import Principal, authenticate, note_key_use
from consentline.service.unit_of_work import UnitOfWork
from consentline.store.db import reading
from consentline.web.request import request_source as request_source, unit_of_work_for

# The dependencies that do no I/O are ``async``: FastAPI runs a plain ``def`` dependency
# on the thread pool, and each hop there and back costs more than the work.


async def _uow(request: Request) -> AsyncIterator[UnitOfWork]:
    uow = unit_of_work_for(request).__enter__()  # no connection until first use
    try:
        yield uow
    finally:
        # Shielded: a cancelled request must still give its connection back.
        with anyio.CancelScope(shield=True):
            if uow.holds_connection:
                # A request that never committed: roll back off the event loop, on a
                # thread of its own (as FastAPI runs the exits of plain dependencies).
                limiter = anyio.CapacityLimiter(1)
                await anyio.to_thread.run_sync(uow.__exit__, None, None, None, limiter=limiter)
            else:
                uow.__exit__(None, None, None)


UowDep = Annotated[UnitOfWork, Depends(_uow)]


def _principal(
    request: Request,
    authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Principal:
    key = None
    if authorization:
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() == "bearer":
            key = value.strip()
    # A short read of its own: the request's transaction begins in the endpoint, which
    # runs in another thread-pool call (see ``UnitOfWork``).
    engine = request.app.state.engine
    now = request.app.state.clock()
    with reading(engine) as conn:
        found = authenticate(conn, key, now)
    if found.note_use:
        note_key_use(engine, found.key_id, now)
    return found.principal


PrincipalDep = Annotated[Principal, Depends(_principal)]


async def _now(request: Request) -> datetime:
    clock: Callable[[], datetime] = request.app.state.clock
    return clock()


NowDep = Annotated[datetime, Depends(_now)]


async def _config(request: Request) -> Config:
    config: Config = request.app.state.config
    return config


ConfigDep = Annotated[Config, Depends(_config)]


def wake_outbox(request: Request) -> None:
    """Tell the outbox worker there is something to send (once it is committed)."""
    wake: Callable[[], None] | None = getattr(request.app.state, "wake_outbox", None)
    if wake is not None:
        wake()


async def _wake_outbox_afterwards(request: Request) -> AsyncIterator[None]:
    yield  # the endpoint runs and commits here; woken earlier, the worker finds nothing
    wake_outbox(request)


WakeOutbox = Depends(_wake_outbox_afterwards, scope="function")
