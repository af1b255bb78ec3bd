"""Sign-in and sign-out."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request, Response
from fastapi.responses import RedirectResponse

from consentline.domain.errors import Unauthorized
from consentline.portal import csrf, pending_sign_in
from consentline.portal.web import SESSION_USER, portal_router, render
from consentline.service.sign_in import TooManyAttempts, sign_in
from consentline.service.unit_of_work import UnitOfWork

router = portal_router()
DEFAULT_LANDING = "/try"


def safe_next(target: str | None) -> str:
    """Only a path on this site: never another host (``//evil``, ``https://…``)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return DEFAULT_LANDING
    return target


def establish_session(request: Request, user_id: int) -> None:
    """Sign a user in, whichever way they proved who they are."""
    # A fresh session on sign-in, so a token planted before it is worth nothing after.
    request.session.clear()
    request.session[SESSION_USER] = user_id
    csrf.session_token(request.session)


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> Response:
    if isinstance(request.session.get(SESSION_USER), int):
        return RedirectResponse(safe_next(next), status_code=303)
    return render(request, "login.html", next=safe_next(next))


@router.post("/login")
def login(
    request: Request,
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    next: Annotated[str, Form()] = DEFAULT_LANDING,
) -> Response:
    with UnitOfWork(request.app.state.engine) as uow:
        try:
            # The peer's own address: no proxy is trusted, so X-Forwarded-For is not read.
            client_host = request.client.host if request.client else None
            signed_in = sign_in(
                uow, email, password, request.app.state.clock(), client_host=client_host
            )
        except TooManyAttempts as error:
            response = render(
                request, "login.html", 429, next=safe_next(next), email=email, error=error.message
            )
            response.headers["Retry-After"] = str(error.retry_after)
            return response
        except Unauthorized as error:
            return render(
                request, "login.html", 401, next=safe_next(next), email=email, error=error.message
            )
    if signed_in.second_factor != "none":
        now = request.app.state.clock()
        pending_sign_in.begin(
            request, signed_in.user_id, signed_in.second_factor, safe_next(next), now
        )
        step = (
            "/login/two-factor"
            if signed_in.second_factor == "verify"
            else "/login/two-factor/setup"
        )
        return RedirectResponse(step, status_code=303)
    establish_session(request, signed_in.user_id)
    return RedirectResponse(safe_next(next), status_code=303)


@router.post("/logout")
def logout(request: Request) -> Response:
    request.session.clear()
    request.session["flash"] = "You are signed out."
    return RedirectResponse("/login", status_code=303)
