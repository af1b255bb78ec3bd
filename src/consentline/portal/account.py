"""Your account: change your password; your signed-in sessions, and signing them out."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Response

from consentline.domain.errors import DomainError
from consentline.portal.sessions import ServerSession
from consentline.portal.web import Page, PageDep, portal_router
from consentline.service import passwords as password_service, sessions as session_service
from consentline.web.errors import status_of

router = portal_router()
PATH = "/account"


def _render(page: Page, status: int = 200, **data: object) -> Response:
    sessions = session_service.signed_in_sessions(page.uow, page.user)
    return page.render("account.html", status, sessions=sessions, current=page.session_id, **data)


@router.get(PATH)
def account_page(page: PageDep) -> Response:
    return _render(page)


@router.post(PATH + "/password")
def change_password(
    page: PageDep,
    current_password: Annotated[str, Form(max_length=1000)],
    new_password: Annotated[str, Form(max_length=1000)],
    repeat_password: Annotated[str, Form(max_length=1000)],
) -> Response:
    if new_password != repeat_password:
        return _render(page, 422, error="The two new passwords are not the same.")
    try:
        ended = password_service.change_own_password(
            page.uow,
            page.user.id,
            current_password,
            new_password,
            page.now,
            current_session=page.session_id,
        )
    except DomainError as error:
        return _render(page, status_of(error), error=error.message)
    others = f"; {ended} other session{'s' if ended != 1 else ''} signed out" if ended else ""
    return page.redirect(PATH, f"Your password is changed{others}.")


@router.post(PATH + "/sessions/{session_id}/end")
def end_session(page: PageDep, session_id: int) -> Response:
    session_service.end_session(page.uow, page.user, session_id)
    return page.redirect(PATH, "That session is signed out.")


@router.post(PATH + "/sessions/end-all")
def end_all(page: PageDep) -> Response:
    """Sign out everywhere: every session of yours ends, this one too."""
    session_service.end_all_sessions(page.uow, page.user)
    session = page.request.session
    session.clear()
    if isinstance(session, ServerSession):
        session.renew()
    return page.redirect("/login", "You are signed out everywhere.")
