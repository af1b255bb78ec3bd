"""The second step of password sign-in: a TOTP code (or a recovery code), or, when the
organization requires a second factor the user has not set up yet, setting it up."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request, Response
from fastapi.responses import RedirectResponse

from consentline.domain.errors import DomainError
from consentline.portal import (
    pending_sign_in,
    qr as _qr,  # noqa: F401  (the template filter)
)
from consentline.portal.auth import establish_session
from consentline.portal.pending_sign_in import Pending
from consentline.portal.web import SESSION_FLASH, portal_router, render
from consentline.service import totp as totp_service
from consentline.service.sign_in import TooManyAttempts
from consentline.service.unit_of_work import UnitOfWork
from consentline.web.errors import status_of

router = portal_router()
VERIFY = "/login/two-factor"
SETUP = "/login/two-factor/setup"
EXPIRED = "Your sign-in took too long: sign in again."


def _pending(request: Request, step: str) -> Pending | None:
    pending = pending_sign_in.current(request, request.app.state.clock())
    return pending if pending is not None and pending.step == step else None


def _again(request: Request) -> Response:
    request.session[SESSION_FLASH] = EXPIRED
    return RedirectResponse("/login", status_code=303)


def _client(request: Request) -> str | None:
    return request.client.host if request.client else None


def _refusal(request: Request, template: str, error: DomainError, **data: object) -> Response:
    response = render(request, template, status_of(error), error=error.message, **data)
    if isinstance(error, TooManyAttempts):
        response.status_code = 429
        response.headers["Retry-After"] = str(error.retry_after)
    return response


@router.get(VERIFY)
def verify_form(request: Request) -> Response:
    if _pending(request, "verify") is None:
        return _again(request)
    return render(request, "login_two_factor.html")


@router.post(VERIFY)
def verify(request: Request, code: Annotated[str, Form(max_length=40)] = "") -> Response:
    pending = _pending(request, "verify")
    if pending is None:
        return _again(request)
    with UnitOfWork(request.app.state.engine) as uow:
        try:
            verified = totp_service.verify(
                uow, pending.user_id, code, request.app.state.clock(), client_host=_client(request)
            )
        except DomainError as error:
            return _refusal(request, "login_two_factor.html", error)
    establish_session(request, pending.user_id)
    if verified.used_recovery_code:
        request.session[SESSION_FLASH] = (
            f"You used a recovery code; {verified.recovery_codes_left} left. "
            "Make new ones on your two-factor page."
        )
    return RedirectResponse(pending.next, status_code=303)


@router.get(SETUP)
def setup_form(request: Request) -> Response:
    pending = _pending(request, "enrol")
    if pending is None:
        return _again(request)
    with UnitOfWork(request.app.state.engine) as uow:
        enrolment = totp_service.pending_enrolment(uow, pending.user_id)
        if enrolment is None:
            enrolment = totp_service.start_enrolment(
                uow, pending.user_id, request.app.state.clock()
            )
    return render(
        request, "two_factor/enrol.html", enrolment=enrolment, action=SETUP, required=True
    )


@router.post(SETUP)
def setup(request: Request, code: Annotated[str, Form(max_length=40)] = "") -> Response:
    pending = _pending(request, "enrol")
    if pending is None:
        return _again(request)
    with UnitOfWork(request.app.state.engine) as uow:
        try:
            codes = totp_service.confirm_enrolment(
                uow, pending.user_id, code, request.app.state.clock(), client_host=_client(request)
            )
        except DomainError as error:
            enrolment = totp_service.pending_enrolment(uow, pending.user_id)
            return _refusal(
                request,
                "two_factor/enrol.html",
                error,
                enrolment=enrolment,
                action=SETUP,
                required=True,
            )
    establish_session(request, pending.user_id)
    return render(request, "two_factor/recovery_codes.html", codes=codes, next=pending.next)
