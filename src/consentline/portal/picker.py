"""The organization picker: the one organization every page acts on, kept in the session."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Response

from consentline.portal.auth import safe_next
from consentline.portal.web import SESSION_ORG, PageDep, portal_router
from consentline.service.access import visible_org

router = portal_router()


@router.post("/org")
def pick_organization(
    page: PageDep,
    org_id: Annotated[int, Form()],
    next: Annotated[str, Form()] = "/",
) -> Response:
    org = visible_org(page.uow.connection, page.principal, org_id)
    page.request.session[SESSION_ORG] = org.id
    return page.redirect(safe_next(next))
