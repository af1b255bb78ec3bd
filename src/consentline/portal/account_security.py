"""Your two-factor page: set up TOTP, make new recovery codes, or turn it off."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Response

from consentline.domain.errors import DomainError
from consentline.portal import qr as _qr  # noqa: F401  (the template filter)
from consentline.portal.web import Page, PageDep, portal_router
from consentline.service import totp as totp_service
from consentline.web.errors import status_of

router = portal_router()
PATH = "/account/two-factor"


def _client(page: Page) -> str | None:
    return page.request.client.host if page.request.client else None


def _render(page: Page, status: int = 200, **data: object) -> Response:
    state = totp_service.status(page.uow, page.user.id)
    return page.render("account/two_factor.html", status, state=state, **data)


@router.get(PATH)
def two_factor_page(page: PageDep) -> Response:
    return _render(page)


@router.post(PATH + "/setup")
def start_setup(page: PageDep) -> Response:
    enrolment = totp_service.start_enrolment(page.uow, page.user.id, page.now)
    return page.render("two_factor/enrol.html", enrolment=enrolment, action=PATH + "/confirm")


@router.post(PATH + "/confirm")
def confirm(page: PageDep, code: Annotated[str, Form(max_length=40)] = "") -> Response:
    try:
        codes = totp_service.confirm_enrolment(
            page.uow, page.user.id, code, page.now, client_host=_client(page)
        )
    except DomainError as error:
        enrolment = totp_service.pending_enrolment(page.uow, page.user.id)
        if enrolment is None:
            raise
        return page.render(
            "two_factor/enrol.html",
            status_of(error),
            enrolment=enrolment,
            action=PATH + "/confirm",
            error=error.message,
        )
    return page.render("two_factor/recovery_codes.html", codes=codes, next=PATH)


@router.post(PATH + "/recovery-codes")
def new_recovery_codes(page: PageDep, code: Annotated[str, Form(max_length=40)] = "") -> Response:
    try:
        codes = totp_service.new_recovery_codes(
            page.uow, page.user.id, code, page.now, client_host=_client(page)
        )
    except DomainError as error:
        return _render(page, status_of(error), error=error.message)
    return page.render("two_factor/recovery_codes.html", codes=codes, next=PATH)


@router.post(PATH + "/disable")
def disable(page: PageDep, code: Annotated[str, Form(max_length=40)] = "") -> Response:
    try:
        totp_service.disable(page.uow, page.user.id, code, page.now, client_host=_client(page))
    except DomainError as error:
        return _render(page, status_of(error), error=error.message)
    return page.redirect(PATH, "Two-factor sign-in is off.")
