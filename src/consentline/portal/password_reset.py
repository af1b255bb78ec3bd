"""Setting a new password through a one-time link a Setup user made (no sign-in needed)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request, Response
from fastapi.responses import RedirectResponse

from consentline.domain.errors import DomainError
from consentline.portal.web import SESSION_FLASH, portal_router, render
from consentline.service import passwords as password_service
from consentline.web.errors import status_of
from consentline.web.request import unit_of_work_for

router = portal_router()
PATH = "/reset-password/{token}"


@router.get(PATH)
def reset_form(request: Request, token: str) -> Response:
    with unit_of_work_for(request) as uow:
        try:
            email = password_service.reset_target(uow, token, request.app.state.clock())
        except DomainError as error:
            return render(request, "reset-password.html", status_of(error), refused=error.message)
    return render(request, "reset-password.html", email=email, token=token)


@router.post(PATH)
def reset(
    request: Request,
    token: str,
    new_password: Annotated[str, Form(max_length=1000)],
    repeat_password: Annotated[str, Form(max_length=1000)],
) -> Response:
    with unit_of_work_for(request) as uow:
        try:
            email = password_service.reset_target(uow, token, request.app.state.clock())
            if new_password != repeat_password:
                return render(
                    request,
                    "reset-password.html",
                    422,
                    email=email,
                    token=token,
                    error="The two passwords are not the same.",
                )
            password_service.reset_password(uow, token, new_password, request.app.state.clock())
        except DomainError as error:
            if error.code.startswith("reset_link") or error.code == "user_inactive":
                return render(
                    request, "reset-password.html", status_of(error), refused=error.message
                )
            return render(
                request,
                "reset-password.html",
                status_of(error),
                email=email,
                token=token,
                error=error.message,
            )
    request.session[SESSION_FLASH] = "Your password is set: sign in with it."
    return RedirectResponse("/login", status_code=303)
