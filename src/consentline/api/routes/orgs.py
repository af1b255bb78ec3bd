"""Organizations, entitlements, API keys, users, lines and settings."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path

from consentline.api.deps import (
    ConfigDep,
    NowDep,
    PrincipalDep,
    RequireAnyPrivilege,
    RequireSetup,
    RequireSetupOrReports,
    UowDep,
)
from consentline.api.errors import ERROR_RESPONSES
from consentline.api.schemas import (
    EntitlementsPublic,
    EntitlementsUpdate,
    LineCreate,
    LineDetail,
    LinePage,
    LinePublic,
    LineUpdate,
    OrgCreate,
    OrgIdPath,
    OrgPublic,
    SettingChangePublic,
    SettingsPublic,
    SettingsUpdate,
    UserCreate,
    UserPublic,
)
from consentline.service import (
    lines as line_service,
    orgs as org_service,
    settings as settings_service,
)
from consentline.service.access import MAX_ID
from consentline.store.orgs import LineRow, OrgRow

router = APIRouter(prefix="/api/v1/orgs", tags=["organizations"], responses=ERROR_RESPONSES)


def _org(org: OrgRow) -> OrgPublic:
    return OrgPublic(id=org.id, name=org.name, parent_id=org.parent_id, root_id=org.root_id)


@router.post("", status_code=201)
def create_org(body: OrgCreate, uow: UowDep, principal: PrincipalDep, now: NowDep) -> OrgPublic:
    """A root organization (operator) or a sub-organization (Setup on the parent)."""
    return _org(org_service.create_org(uow, principal, body.name, body.parent_id, now))


@router.get("/{org_id}")
def get_org(org_id: OrgIdPath, uow: UowDep, principal: PrincipalDep) -> OrgPublic:
    return _org(org_service.get_org(uow, principal, org_id))


@router.put("/{org_id}/entitlements")
def set_entitlements(
    org_id: OrgIdPath, body: EntitlementsUpdate, uow: UowDep, principal: PrincipalDep, now: NowDep
) -> EntitlementsPublic:
    """Grant or withdraw SMS Opt-in (operator only)."""
    org_service.set_entitlement(uow, principal, org_id, body.sms_optin, now)
    return EntitlementsPublic(sms_optin=body.sms_optin)


@router.post("/{org_id}/users", status_code=201, dependencies=[RequireSetup])
def create_user(
    org_id: OrgIdPath, body: UserCreate, uow: UowDep, principal: PrincipalDep, now: NowDep
) -> UserPublic:
    """A portal login for this organization."""
    user = org_service.create_user(
        uow, principal, org_id, body.email, body.name, body.password, [*body.privileges], now
    )
    return UserPublic(id=user.id, email=user.email, name=user.name, privileges=user.privileges)


@router.post("/{org_id}/lines", status_code=201, dependencies=[RequireSetup])
def create_line(
    org_id: OrgIdPath,
    body: LineCreate,
    uow: UowDep,
    principal: PrincipalDep,
    now: NowDep,
    config: ConfigDep,
) -> LinePublic:
    line = org_service.create_line(
        uow,
        principal,
        org_id,
        body.number,
        body.employee_name,
        now,
        default_region=config.default_region,
    )
    return LinePublic(
        id=line.id, number=line.number, employee_name=line.employee_name, org_id=line.org_id
    )


def _line(line: LineRow) -> LineDetail:
    return LineDetail(
        id=line.id,
        number=line.number,
        employee_name=line.employee_name,
        org_id=line.org_id,
        retired=line.retired_at is not None,
    )


@router.get("/{org_id}/lines", dependencies=[RequireAnyPrivilege])
def list_lines(org_id: OrgIdPath, uow: UowDep, principal: PrincipalDep) -> LinePage:
    """The lines of the organization and of the organizations below it."""
    return LinePage(items=[_line(line) for line in line_service.list_lines(uow, principal, org_id)])


@router.patch("/{org_id}/lines/{line_id}", dependencies=[RequireSetup])
def update_line(
    org_id: OrgIdPath,
    line_id: Annotated[int, Path(ge=1, le=MAX_ID, description="The line's id.")],
    body: LineUpdate,
    uow: UowDep,
    principal: PrincipalDep,
    now: NowDep,
) -> LineDetail:
    """Rename the employee, move the line, retire it (``retired: true``) or bring it back."""
    line = line_service.update_line(
        uow,
        principal,
        org_id,
        line_id,
        now,
        employee_name=body.employee_name,
        move_to=body.org_id,
        retired=body.retired,
    )
    return _line(line)


@router.get("/{org_id}/settings")
def get_settings(org_id: OrgIdPath, uow: UowDep, principal: PrincipalDep) -> SettingsPublic:
    """The effective settings; a sub-organization shows its root's, with ``inherited_from``."""
    return SettingsPublic.model_validate(settings_service.get_settings(uow, principal, org_id))


@router.patch("/{org_id}/settings", dependencies=[RequireSetup])
def change_settings(
    org_id: OrgIdPath, body: SettingsUpdate, uow: UowDep, principal: PrincipalDep, now: NowDep
) -> SettingsPublic:
    # null leaves a setting as it is, like an absent key.
    patch: dict[str, Any] = body.model_dump(exclude_unset=True, exclude_none=True)
    document = settings_service.change_settings(uow, principal, org_id, patch, now)
    return SettingsPublic.model_validate(document)


@router.get("/{org_id}/settings/history", dependencies=[RequireSetupOrReports])
def settings_history(
    org_id: OrgIdPath, uow: UowDep, principal: PrincipalDep
) -> list[SettingChangePublic]:
    """Every change of a setting: who, when, old and new value."""
    return [
        SettingChangePublic(
            setting=change.setting,
            actor=change.actor,
            old_value=change.old_value,
            new_value=change.new_value,
            changed_at=change.changed_at.isoformat(),  # "+00:00", as this list always wrote
        )
        for change in settings_service.settings_history(uow, principal, org_id)
    ]
