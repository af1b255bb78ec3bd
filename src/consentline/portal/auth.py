"""Sign-in and sign-out."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request, Response
from fastapi.responses import RedirectResponse

from consentline.domain.errors import Unauthorized
from consentline.portal import csrf, nav, pending_sign_in
from consentline.portal.sessions import ServerSession
from consentline.portal.web import SESSION_FLASH, SESSION_USER, portal_router, render
from consentline.service.sign_in import TooManyAttempts, principal_of, sign_in
from consentline.service.unit_of_work import UnitOfWork
from consentline.store import users as user_store
from consentline.web.request import request_source

router = portal_router()
DEFAULT_LANDING = "/"  # the start page: the pages this user's privileges open


def safe_next(target: str | None) -> str:
    """Only a path on this site: never another host (``//evil``, ``https://…``)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return DEFAULT_LANDING
    return target


def landing_for(uow: UnitOfWork, user_id: int) -> str:
    """Where a sign-in without a ``next`` lands: the first page the user's privileges open
    (the two phones for Messaging, Conversations for Reports, Setup for Setup alone)."""
    user = user_store.get_user(uow.connection, user_id)
    items = nav.items_for(nav.TOP, principal_of(user)) if user else []
    return items[0].href if items else DEFAULT_LANDING


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> Response:
    if isinstance(request.session.get(SESSION_USER), int):
        return RedirectResponse(safe_next(next), status_code=303)
    return render(request, "login.html", next=safe_next(next) if next else "")


@router.post("/login")
def login(
    request: Request,
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    back = safe_next(next) if next else ""
    with UnitOfWork(request.app.state.engine, source=request_source(request)) as uow:
        try:
            # The peer's own address: no proxy is trusted, so X-Forwarded-For is not read.
            client_host = request.client.host if request.client else None
            signed_in = sign_in(
                uow, email, password, request.app.state.clock(), client_host=client_host
            )
        except TooManyAttempts as error:
            response = render(
                request,
                "login.html",
                429,
                next=safe_next(next) if next else "",
                email=email,
                error=error.message,
            )
            response.headers["Retry-After"] = str(error.retry_after)
            return response
        except Unauthorized as error:
            return render(
                request,
                "login.html",
                401,
                next=safe_next(next) if next else "",
                email=email,
                error=error.message,
            )
        landing = landing_for(uow, signed_in.user_id)
    if signed_in.second_factor != "none":
        now = request.app.state.clock()
        pending_sign_in.begin(
            request, signed_in.user_id, signed_in.second_factor, back or landing, now
        )
        step = (
            "/login/two-factor"
            if signed_in.second_factor == "verify"
            else "/login/two-factor/setup"
        )
        return RedirectResponse(step, status_code=303)
    establish_session(request, signed_in.user_id)
    return RedirectResponse(back or landing, status_code=303)


def establish_session(request: Request, user_id: int) -> None:
    """Sign ``user_id`` in on this browser, after any kind of authentication (a password,
    a second factor, single sign-on).

    A new session with a new id and CSRF token, so an id or token planted before sign-in
    is worth nothing after it; the old session ends on the server.
    """
    session = request.session
    session.clear()
    if isinstance(session, ServerSession):
        session.renew()
    session[SESSION_USER] = user_id
    csrf.session_token(session)


@router.post("/logout")
def logout(request: Request) -> Response:
    """End the session on the server: its cookie, even if kept, opens nothing any more."""
    session = request.session
    session.clear()
    if isinstance(session, ServerSession):
        session.renew()
    session[SESSION_FLASH] = "You are signed out."
    return RedirectResponse("/login", status_code=303)
