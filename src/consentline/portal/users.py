"""Setup > Users: the people who sign in to the portal, and their privileges."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Response

from consentline.api.errors import status_of
from consentline.domain.errors import DomainError
from consentline.portal.web import Page, PageDep, portal_router
from consentline.service import orgs as org_service, users as user_service
from consentline.service.access import Privilege

router = portal_router()
PATH = "/setup/users"
PRIVILEGES = (
    (Privilege.SETUP.value, "Setup", "change feature settings, templates, users"),
    (Privilege.REPORTS.value, "Reports", "run reports, read conversations and history"),
    (Privilege.MESSAGING.value, "Messaging", "send and receive messages (the demo phones)"),
)


def _render(page: Page, status: int = 200, **data: object) -> Response:
    users = user_service.list_users(page.uow, page.principal, page.picked.id)
    return page.render("setup/users.html", status, users=users, privileges=PRIVILEGES, **data)


@router.get(PATH)
def users_page(page: PageDep) -> Response:
    return _render(page)


@router.post(PATH)
def add_user(
    page: PageDep,
    email: Annotated[str, Form(max_length=320)],
    name: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=1000)],
    privileges: Annotated[list[str] | None, Form()] = None,
) -> Response:
    try:
        org_service.create_user(
            page.uow,
            page.principal,
            page.picked.id,
            email,
            name,
            password,
            privileges or [],
            page.now,
        )
    except DomainError as error:
        form = {"email": email, "name": name, "privileges": privileges or []}
        return _render(page, status_of(error), error=error.message, form=form)
    return page.redirect(PATH, f"Added {email.strip().lower()}.")


@router.post(PATH + "/{user_id}/privileges")
def set_privileges(
    page: PageDep, user_id: int, privileges: Annotated[list[str] | None, Form()] = None
) -> Response:
    try:
        user = user_service.set_privileges(
            page.uow, page.principal, page.picked.id, user_id, privileges or [], page.now
        )
    except DomainError as error:
        return _render(page, status_of(error), error=error.message)
    return page.redirect(PATH, f"Privileges of {user.email} saved.")
