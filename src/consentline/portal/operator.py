"""Operator pages: every organization, a new one, the SMS Opt-in entitlement."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Response

from consentline.domain.errors import DomainError
from consentline.portal.web import Page, PageDep, checked, portal_router
from consentline.service import orgs as org_service, settings as settings_service
from consentline.web.errors import status_of

router = portal_router()
PATH = "/operator/orgs"


def _render(page: Page, status: int = 200, **data: object) -> Response:
    page.principal.require_operator()
    rows = []
    for item in page.tree:
        settings = settings_service.get_settings(page.uow, page.principal, item.org.id)
        rows.append({"item": item, "settings": settings})
    return page.render("operator/orgs.html", status, rows=rows, **data)


@router.get(PATH)
def organizations(page: PageDep) -> Response:
    return _render(page)


@router.post(PATH)
def new_organization(
    page: PageDep,
    name: Annotated[str, Form(max_length=200)],
    parent_id: Annotated[str, Form()] = "",
) -> Response:
    parent = int(parent_id) if parent_id.isdigit() else None
    try:
        org = org_service.create_org(page.uow, page.principal, name, parent, page.now)
    except DomainError as error:
        return _render(page, status_of(error), error=error.message, name=name)
    page.request.session["org_id"] = org.id
    return page.redirect(PATH, f"Created {org.name}; it is now the picked organization.")


@router.post(PATH + "/{org_id}/entitlement")
def set_entitlement(
    page: PageDep,
    org_id: int,
    sms_optin: Annotated[str | None, Form()] = None,
    confirm: Annotated[str | None, Form()] = None,
) -> Response:
    granted = checked(sms_optin)
    if not granted and confirm != "yes":
        return _confirm_withdrawal(page, org_id)
    org = org_service.set_entitlement(page.uow, page.principal, org_id, granted, page.now)
    verb = "granted to" if granted else "withdrawn from"
    return page.redirect(PATH, f"SMS Opt-in {verb} {org.name}.")


def _confirm_withdrawal(page: Page, org_id: int) -> Response:
    """Withdrawing switches the policy off for a whole enterprise: ask first, saying so."""
    org = org_service.get_org(page.uow, page.principal, org_id)
    below = sum(1 for item in page.tree if item.org.root_id == org.id) - 1
    subs = f" and its {below} sub-organization{'s' if below != 1 else ''}" if below else ""
    text = (
        f"SMS Opt-in stops for {org.name}{subs}: contacts are no longer asked for consent and "
        "messages pass through, opt-outs are still honored, and its admins can no longer "
        "turn SMS Opt-in on. Held messages stay held until they expire; consent records are "
        "kept and apply again if it is granted again."
    )
    box = {
        "title": f"Withdraw SMS Opt-in from {org.name}?",
        "text": text,
        "action": f"{PATH}/{org.id}/entitlement",
        "fields": {},
        "yes": "Withdraw SMS Opt-in",
        "back": PATH,
    }
    return _render(page, confirm=box)
