"""Setup > Sign-in: the organization's single sign-on provider, and requiring TOTP."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Response

from consentline.domain.errors import DomainError, InvalidInput
from consentline.portal import nav
from consentline.portal.sso import redirect_uri
from consentline.portal.web import Page, PageDep, checked, portal_router
from consentline.service import sso as sso_service, totp as totp_service
from consentline.service.access import Privilege
from consentline.service.sso import SsoUpdate
from consentline.web.errors import status_of

router = portal_router()
PATH = "/setup/sign-in"
nav.register(nav.NavItem("Sign-in", PATH, 35, nav.needs(Privilege.SETUP)), nav.SETUP)


def _render(page: Page, status: int = 200, **data: object) -> Response:
    root = page.root
    return page.render(
        "setup/sign_in.html",
        status,
        root=root,
        sso=sso_service.get(page.uow, page.principal, root.id),
        require_totp=totp_service.is_required(page.uow, page.principal, root.id),
        callback=redirect_uri(page.request),
        **data,
    )


@router.get(PATH)
def sign_in_page(page: PageDep) -> Response:
    return _render(page)


@router.post(PATH + "/totp")
def set_totp(page: PageDep, require_totp: Annotated[str | None, Form()] = None) -> Response:
    required = checked(require_totp)
    totp_service.set_required(page.uow, page.principal, page.root.id, required, page.now)
    message = (
        "Password sign-in now needs a code from an authenticator app."
        if required
        else "Password sign-in no longer needs a second factor."
    )
    return page.redirect(PATH, message)


def parse_claim_privileges(text: str) -> dict[str, list[str]]:
    """Lines of ``claim value: privilege, privilege``."""
    mapping: dict[str, list[str]] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        value, colon, privileges = line.rpartition(":")
        if not colon or not value.strip():
            raise InvalidInput(
                f"Line {number} of the privileges map: write 'claim value: setup, reports'.",
                code="invalid_sso",
            )
        mapping[value.strip()] = [p.strip().lower() for p in privileges.split(",") if p.strip()]
    return mapping


@router.post(PATH + "/sso")
def save_sso(
    page: PageDep,
    issuer: Annotated[str, Form(max_length=500)] = "",
    client_id: Annotated[str, Form(max_length=500)] = "",
    client_secret: Annotated[str, Form(max_length=500)] = "",
    allowed_domains: Annotated[str, Form(max_length=2000)] = "",
    label: Annotated[str, Form(max_length=100)] = "",
    privileges_claim: Annotated[str, Form(max_length=100)] = "",
    claim_privileges: Annotated[str, Form(max_length=5000)] = "",
    create_users: Annotated[str | None, Form()] = None,
) -> Response:
    form = {
        "issuer": issuer,
        "client_id": client_id,
        "allowed_domains": allowed_domains,
        "label": label,
        "privileges_claim": privileges_claim,
        "claim_privileges": claim_privileges,
        "create_users": checked(create_users),
    }
    try:
        update = SsoUpdate(
            issuer=issuer,
            client_id=client_id,
            client_secret=client_secret or None,
            allowed_domains=allowed_domains.replace(",", " ").split(),
            label=label,
            privileges_claim=privileges_claim or None,
            claim_privileges=parse_claim_privileges(claim_privileges),
            create_users=checked(create_users),
        )
        sso_service.configure(page.uow, page.principal, page.root.id, update, page.now)
    except DomainError as error:
        return _render(page, status_of(error), error=error.message, form=form)
    return page.redirect(PATH, "Single sign-on saved.")


@router.post(PATH + "/sso/remove")
def remove_sso(page: PageDep) -> Response:
    sso_service.remove(page.uow, page.principal, page.root.id, page.now)
    return page.redirect(PATH, "Single sign-on is off: users sign in with their passwords.")
