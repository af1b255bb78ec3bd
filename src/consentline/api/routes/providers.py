"""Carrier settings of an organization, and its outbox (dead letters, retries)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict

from consentline.api.deps import ConfigDep, NowDep, PrincipalDep, UowDep, WakeOutbox
from consentline.api.errors import ERROR_RESPONSES
from consentline.api.schemas import OrgIdPath
from consentline.domain.errors import NotFound
from consentline.service import carriers
from consentline.service.access import MAX_ID, Privilege, visible_org
from consentline.store import outbox as outbox_store

ItemIdPath = Annotated[int, Path(ge=1, le=MAX_ID, description="The outbox item's id.")]

router = APIRouter(prefix="/api/v1/orgs", tags=["carriers"], responses=ERROR_RESPONSES)


class TwilioUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    account_sid: str | None = None
    auth_token: str | None = None
    lines: list[str] | None = None


class TemplateUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    language: str
    parameters: list[Literal["employee_name", "company_name"]] = []


class WhatsAppUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    access_token: str | None = None
    app_secret: str | None = None
    verify_token: str | None = None
    lines: dict[str, str] | None = None
    optin_template: TemplateUpdate | None = None


class EmployeeAppUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str | None = None
    signing_secret: str | None = None


class ProvidersUpdate(BaseModel):
    """Set only what is given; a secret given as ``null`` is cleared."""

    model_config = ConfigDict(extra="forbid")
    twilio: TwilioUpdate | None = None
    whatsapp: WhatsAppUpdate | None = None
    employee_app: EmployeeAppUpdate | None = None


@router.get("/{org_id}/providers")
def get_providers(org_id: OrgIdPath, uow: UowDep, principal: PrincipalDep) -> dict[str, Any]:
    """Which carrier serves which line; each secret shows only as ``<name>_set``."""
    return carriers.get_providers(uow, principal, org_id)


@router.patch("/{org_id}/providers")
def change_providers(
    org_id: OrgIdPath,
    body: ProvidersUpdate,
    uow: UowDep,
    principal: PrincipalDep,
    now: NowDep,
    config: ConfigDep,
) -> dict[str, Any]:
    patch = body.model_dump(exclude_unset=True)
    return carriers.change_providers(uow, principal, org_id, patch, now, config.default_region)


def _iso(value: Any) -> Any:
    return value.isoformat().replace("+00:00", "Z") if hasattr(value, "isoformat") else value


@router.get("/{org_id}/outbox")
def list_outbox(
    org_id: OrgIdPath,
    uow: UowDep,
    principal: PrincipalDep,
    status: Annotated[Literal["pending", "sent", "dead"] | None, Query()] = None,
) -> dict[str, list[dict[str, Any]]]:
    """The organization's outbox, newest first: dead letters with ``status=dead``."""
    org = visible_org(uow.connection, principal, org_id)
    principal.require(Privilege.SETUP)
    items = outbox_store.list_items(uow.connection, org.root_id, status)
    return {"items": [{k: _iso(v) for k, v in item.items()} for item in items]}


@router.post("/{org_id}/outbox/{item_id}/retry", dependencies=[WakeOutbox])
def retry_dead_letter(
    org_id: OrgIdPath, item_id: ItemIdPath, uow: UowDep, principal: PrincipalDep, now: NowDep
) -> dict[str, Any]:
    """Send a dead letter again, its tries counted from zero."""
    org = visible_org(uow.connection, principal, org_id)
    principal.require(Privilege.SETUP)
    if not outbox_store.retry(uow.connection, org.root_id, item_id, now):
        raise NotFound(f"No dead letter {item_id}.", code="not_dead_letter")
    uow.commit()
    return {"id": item_id, "status": "pending"}
