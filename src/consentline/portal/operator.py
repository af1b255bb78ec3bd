"""Operator pages: every organization, a new one, the SMS Opt-in entitlement."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Response

from consentline.api.errors import status_of
from consentline.domain.errors import DomainError
from consentline.portal.web import Page, PageDep, checked, portal_router
from consentline.service import orgs as org_service, settings as settings_service

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
    page: PageDep, org_id: int, sms_optin: Annotated[str | None, Form()] = None
) -> Response:
    granted = checked(sms_optin)
    org = org_service.set_entitlement(page.uow, page.principal, org_id, granted, page.now)
    verb = "granted to" if granted else "withdrawn from"
    return page.redirect(PATH, f"SMS Opt-in {verb} {org.name}.")
