"""Request dependencies with short aliases: the unit of work, the caller, the time."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from typing import Annotated, Literal

import anyio
from fastapi import Depends, Header, Request

from consentline.config import Config
from consentline.domain.errors import Forbidden
from consentline.service.access import (
    MAX_ID,
    Principal,
    Privilege,
    authenticate,
    note_key_use,
    visible_org,
)
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


# --- privileges, stated where a route is declared -----------------------------------------


def _org_in_path(request: Request) -> int | Literal[False] | None:
    """The path's organization id; ``False`` when it is not an id (validation answers 422)."""
    raw = request.path_params.get("org_id")
    if raw is None:
        return None
    return int(raw) if str(raw).isdigit() and 0 < int(raw) <= MAX_ID else False


def _see_org(request: Request, principal: Principal, org_id: int) -> None:
    with reading(request.app.state.engine) as conn:
        visible_org(conn, principal, org_id)  # 404 for an organization outside the tree


def requires(*any_of: Privilege) -> Callable[..., Awaitable[Principal]]:
    """A dependency that lets the caller through with any of these privileges, else 403.
    An organization outside the caller's tree still answers 404 (SPEC §6), so a refusal
    looks the path's organization up first; a malformed id is left to the path's
    validation (422). The use case checks the privilege again."""

    async def check(request: Request, principal: PrincipalDep) -> Principal:
        try:
            principal.require(*any_of)
        except Forbidden:
            org_id = _org_in_path(request)
            if org_id is False:
                return principal
            if org_id is not None:
                await anyio.to_thread.run_sync(_see_org, request, principal, org_id)
            raise
        return principal

    return check


RequireSetup = Depends(requires(Privilege.SETUP))
RequireMessaging = Depends(requires(Privilege.MESSAGING))
RequireReports = Depends(requires(Privilege.REPORTS))
RequireMessagingOrReports = Depends(requires(Privilege.MESSAGING, Privilege.REPORTS))
RequireSetupOrReports = Depends(requires(Privilege.SETUP, Privilege.REPORTS))
RequireAnyPrivilege = Depends(requires(*Privilege))
