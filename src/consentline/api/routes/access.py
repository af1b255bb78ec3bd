"""Who may use an organization: its portal users and its API keys."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request, Response

from consentline.api.access_schemas import (
    ApiKeyList,
    ApiKeyRotate,
    ApiKeyRotated,
    KeyIdPath,
    PasswordResetPublic,
    UserIdPath,
    UserList,
    UserUpdate,
)
from consentline.api.deps import ConfigDep, NowDep, PrincipalDep, UowDep
from consentline.api.errors import ERROR_RESPONSES
from consentline.api.schemas import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyPublic,
    OrgIdPath,
    UserDetail,
)
from consentline.service import (
    api_keys as key_service,
    passwords as password_service,
    users as user_service,
)
from consentline.store.api_keys import ApiKeyRow

router = APIRouter(prefix="/api/v1/orgs", tags=["users and keys"], responses=ERROR_RESPONSES)
RESET_PATH = "/reset-password/"


def _user(user: user_service.UserPublic) -> UserDetail:
    return UserDetail(
        id=user.id,
        email=user.email,
        name=user.name,
        privileges=list(user.privileges),
        active=user.active,
        org_id=user.org_id,
    )


def _key(key: ApiKeyRow) -> ApiKeyPublic:
    return ApiKeyPublic(
        id=key.id,
        name=key.name,
        prefix=key.prefix,
        privileges=list(key.privileges),
        created_at=key.created_at,
        created_by=key.created_by,
        last_used_at=key.last_used_at,
        expires_at=key.expires_at,
        revoked_at=key.revoked_at,
    )


def _created(created: key_service.KeyCreated) -> ApiKeyCreated:
    return ApiKeyCreated(key=created.key, **_key(created.record).model_dump())


@router.get("/{org_id}/users")
def list_users(org_id: OrgIdPath, uow: UowDep, principal: PrincipalDep) -> UserList:
    """The portal users of the organization and of every organization below it."""
    return UserList(items=[_user(u) for u in user_service.list_users(uow, principal, org_id)])


@router.patch("/{org_id}/users/{user_id}")
def update_user(
    org_id: OrgIdPath,
    user_id: UserIdPath,
    body: UserUpdate,
    uow: UowDep,
    principal: PrincipalDep,
    now: NowDep,
) -> UserDetail:
    """Deactivate (`{"active": false}`: their sessions end at once), reactivate, rename, or
    replace privileges. The last active user with Setup cannot be deactivated or lose
    Setup (409)."""
    change = user_service.update_user(
        uow,
        principal,
        org_id,
        user_id,
        now,
        active=body.active,
        privileges=list(body.privileges) if body.privileges is not None else None,
        name=body.name,
    )
    return _user(change.after)


@router.post("/{org_id}/users/{user_id}/password-reset", status_code=201)
def reset_password(
    org_id: OrgIdPath,
    user_id: UserIdPath,
    uow: UowDep,
    principal: PrincipalDep,
    now: NowDep,
    config: ConfigDep,
    request: Request,
) -> PasswordResetPublic:
    """A one-time link for the user to set a new password, valid 24 hours. Give it to
    them yourself; it is shown only in this answer."""
    link = password_service.request_reset(uow, principal, org_id, user_id, now)
    base = (config.public_url or str(request.base_url)).rstrip("/")
    return PasswordResetPublic(
        user_id=link.user_id,
        email=link.email,
        reset_url=f"{base}{RESET_PATH}{link.token}",
        expires_at=link.expires_at,
    )


@router.post("/{org_id}/api-keys", status_code=201)
def create_api_key(
    org_id: OrgIdPath, body: ApiKeyCreate, uow: UowDep, principal: PrincipalDep, now: NowDep
) -> ApiKeyCreated:
    """A new key; `key` is shown only in this answer."""
    created = key_service.create_key(
        uow, principal, org_id, body.name, list(body.privileges), now, expires_at=body.expires_at
    )
    return _created(created)


@router.get("/{org_id}/api-keys")
def list_api_keys(org_id: OrgIdPath, uow: UowDep, principal: PrincipalDep) -> ApiKeyList:
    """Every key of the organization, revoked and expired ones too; never the secret."""
    return ApiKeyList(items=[_key(k) for k in key_service.list_keys(uow, principal, org_id)])


@router.delete("/{org_id}/api-keys/{key_id}", status_code=204)
def revoke_api_key(
    org_id: OrgIdPath, key_id: KeyIdPath, uow: UowDep, principal: PrincipalDep, now: NowDep
) -> Response:
    """Revoke at once: the next request with the key is refused with 401."""
    key_service.revoke_key(uow, principal, org_id, key_id, now)
    return Response(status_code=204)


@router.post("/{org_id}/api-keys/{key_id}/rotate", status_code=201)
def rotate_api_key(
    org_id: OrgIdPath,
    key_id: KeyIdPath,
    uow: UowDep,
    principal: PrincipalDep,
    now: NowDep,
    body: ApiKeyRotate | None = None,
) -> ApiKeyRotated:
    """A new key with the same name and privileges; the old one keeps working for
    `grace_hours` (default 24), then is refused."""
    grace = timedelta(hours=(body or ApiKeyRotate()).grace_hours)
    rotated = key_service.rotate_key(uow, principal, org_id, key_id, now, grace=grace)
    return ApiKeyRotated(**_created(rotated.created).model_dump(), replaces=_key(rotated.old))
