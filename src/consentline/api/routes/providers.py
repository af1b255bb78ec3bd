"""Carrier settings of an organization, and its outbox (dead letters, retries)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from consentline.api.deps import (
    ConfigDep,
    NowDep,
    PrincipalDep,
    RequireSetup,
    UowDep,
    WakeOutbox,
)
from consentline.api.errors import ERROR_RESPONSES
from consentline.api.provider_schemas import (
    OutboxItemPublic,
    OutboxPage,
    ProvidersPublic,
    ProvidersUpdate,
    RetriedPublic,
)
from consentline.api.schemas import OrgIdPath
from consentline.service import carriers, outbox
from consentline.service.access import MAX_ID

ItemIdPath = Annotated[int, Path(ge=1, le=MAX_ID, description="The outbox item's id.")]

router = APIRouter(prefix="/api/v1/orgs", tags=["carriers"], responses=ERROR_RESPONSES)


@router.get(
    "/{org_id}/providers",
    response_model=ProvidersPublic,
    response_model_exclude_unset=True,
    dependencies=[RequireSetup],
)
def get_providers(org_id: OrgIdPath, uow: UowDep, principal: PrincipalDep) -> ProvidersPublic:
    """Which carrier serves which line; each secret shows only as ``<name>_set``."""
    return ProvidersPublic.of(carriers.get_providers(uow, principal, org_id))


@router.patch(
    "/{org_id}/providers",
    response_model=ProvidersPublic,
    response_model_exclude_unset=True,
    dependencies=[RequireSetup],
)
def change_providers(
    org_id: OrgIdPath,
    body: ProvidersUpdate,
    uow: UowDep,
    principal: PrincipalDep,
    now: NowDep,
    config: ConfigDep,
) -> ProvidersPublic:
    patch = body.model_dump(exclude_unset=True)
    shown = carriers.change_providers(uow, principal, org_id, patch, now, config.default_region)
    return ProvidersPublic.of(shown)


@router.get("/{org_id}/outbox", dependencies=[RequireSetup])
def list_outbox(
    org_id: OrgIdPath,
    uow: UowDep,
    principal: PrincipalDep,
    status: Annotated[outbox.OutboxStatus | None, Query()] = None,
) -> OutboxPage:
    """The organization's outbox, newest first: dead letters with ``status=dead``."""
    entries = outbox.list_outbox(uow, principal, org_id, status)
    return OutboxPage(items=[OutboxItemPublic.of(entry) for entry in entries])


@router.post("/{org_id}/outbox/{item_id}/retry", dependencies=[RequireSetup, WakeOutbox])
def retry_dead_letter(
    org_id: OrgIdPath, item_id: ItemIdPath, uow: UowDep, principal: PrincipalDep, now: NowDep
) -> RetriedPublic:
    """Send a dead letter again, its tries counted from zero."""
    retried = outbox.retry_dead_letter(uow, principal, org_id, item_id, now)
    return RetriedPublic(id=retried.id, status=retried.status)
