"""Setup > Users: the people who sign in to the portal, their privileges, whether they may.

Deactivating asks for confirmation first (a page that says what will happen); a password
reset link is shown once, on the page that made it.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Response

from consentline.domain.errors import DomainError
from consentline.portal.web import Page, PageDep, portal_router
from consentline.service import (
    orgs as org_service,
    passwords as password_service,
    users as user_service,
)
from consentline.service.access import Privilege
from consentline.store import sessions as session_store
from consentline.web.errors import status_of

router = portal_router()
PATH = "/setup/users"
RESET_PATH = "/reset-password/"
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
            page.uow,
            page.principal,
            page.picked.id,
            user_id,
            privileges or [],
            page.now,
            current_session=page.session_id,
        )
    except DomainError as error:
        return _render(page, status_of(error), error=error.message)
    return page.redirect(PATH, f"Privileges of {user.email} saved.")


@router.get(PATH + "/{user_id}/deactivate")
def confirm_deactivate(page: PageDep, user_id: int) -> Response:
    """What deactivating will do, and a button to do it."""
    user = user_service.managed_user(page.uow, page.principal, page.picked.id, user_id)
    sessions = len(session_store.user_sessions(page.uow.connection, user.id))
    return page.render("setup/users-deactivate.html", user=user, sessions=sessions)


@router.post(PATH + "/{user_id}/active")
def set_active(page: PageDep, user_id: int, active: Annotated[str, Form()]) -> Response:
    wanted = active == "true"
    try:
        change = user_service.update_user(
            page.uow,
            page.principal,
            page.picked.id,
            user_id,
            page.now,
            active=wanted,
            current_session=page.session_id,
        )
    except DomainError as error:
        return _render(page, status_of(error), error=error.message)
    email = change.after.email
    if wanted:
        return page.redirect(PATH, f"{email} can sign in again.")
    ended = change.sessions_ended
    return page.redirect(
        PATH,
        f"{email} is deactivated: signed out of {ended} session{'s' if ended != 1 else ''}, "
        "and cannot sign in.",
    )


@router.post(PATH + "/{user_id}/password-reset")
def reset_link(page: PageDep, user_id: int) -> Response:
    """Make a one-time link and show it, once."""
    try:
        link = password_service.request_reset(
            page.uow, page.principal, page.picked.id, user_id, page.now
        )
    except DomainError as error:
        return _render(page, status_of(error), error=error.message)
    config = page.config
    base = (config.public_url or str(page.request.base_url)).rstrip("/")
    return page.render(
        "setup/users-reset-link.html", link=link, url=f"{base}{RESET_PATH}{link.token}"
    )
