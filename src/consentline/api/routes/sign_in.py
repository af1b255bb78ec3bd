"""Sign-in settings of a main organization: its single sign-on provider, and whether
password sign-in needs a second factor (Setup privilege)."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, Response

from consentline.api.deps import NowDep, PrincipalDep, UowDep
from consentline.api.errors import ERROR_RESPONSES
from consentline.api.schemas import OrgIdPath
from consentline.api.sign_in_schemas import SignInPolicy, SsoPublic, SsoUpdate
from consentline.domain.errors import NotFound
from consentline.service import sso as sso_service, totp as totp_service

router = APIRouter(prefix="/api/v1/orgs", tags=["sign-in"], responses=ERROR_RESPONSES)


def _public(config: sso_service.SsoPublic) -> SsoPublic:
    return SsoPublic(**asdict(config), sign_in_path=f"/login/sso/org/{config.org_id}")


@router.get("/{org_id}/sso")
def get_sso(org_id: OrgIdPath, uow: UowDep, principal: PrincipalDep) -> SsoPublic:
    """The single sign-on provider (the client secret is never shown, only whether set)."""
    config = sso_service.get(uow, principal, org_id)
    if config is None:
        raise NotFound("Single sign-on is not set up.", code="no_sso")
    return _public(config)


@router.put("/{org_id}/sso")
def put_sso(
    org_id: OrgIdPath, body: SsoUpdate, uow: UowDep, principal: PrincipalDep, now: NowDep
) -> SsoPublic:
    """Set up or change single sign-on through an OpenID Connect provider."""
    update = sso_service.SsoUpdate(
        issuer=body.issuer,
        client_id=body.client_id,
        client_secret=body.client_secret,
        allowed_domains=body.allowed_domains,
        label=body.label,
        privileges_claim=body.privileges_claim,
        claim_privileges={value: list(each) for value, each in body.claim_privileges.items()},
        create_users=body.create_users,
    )
    return _public(sso_service.configure(uow, principal, org_id, update, now))


@router.delete("/{org_id}/sso", status_code=204)
def delete_sso(org_id: OrgIdPath, uow: UowDep, principal: PrincipalDep, now: NowDep) -> Response:
    """Turn single sign-on off: users sign in with their passwords again."""
    sso_service.remove(uow, principal, org_id, now)
    return Response(status_code=204)


@router.get("/{org_id}/sign-in-policy")
def get_policy(org_id: OrgIdPath, uow: UowDep, principal: PrincipalDep) -> SignInPolicy:
    return SignInPolicy(require_totp=totp_service.is_required(uow, principal, org_id))


@router.put("/{org_id}/sign-in-policy")
def put_policy(
    org_id: OrgIdPath, body: SignInPolicy, uow: UowDep, principal: PrincipalDep, now: NowDep
) -> SignInPolicy:
    """Require a TOTP code at password sign-in (single sign-on leaves it to the provider)."""
    required = totp_service.set_required(uow, principal, org_id, body.require_totp, now)
    return SignInPolicy(require_totp=required)
