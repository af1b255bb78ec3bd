"""Setup > API keys: make, list, rotate and revoke the organization's keys.

A new key's secret is shown once, on the page that made it. Revoking asks for
confirmation first (a page that says what will happen).
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Annotated

from fastapi import Form, Response

from consentline.domain.errors import DomainError, InvalidInput
from consentline.portal import nav
from consentline.portal.users import PRIVILEGES
from consentline.portal.web import Page, PageDep, portal_router
from consentline.service import api_keys as key_service
from consentline.service.access import Privilege
from consentline.web.errors import status_of

router = portal_router()
PATH = "/setup/api-keys"
nav.register(
    nav.NavItem(
        "API keys",
        PATH,
        35,
        visible=lambda p: p.is_operator or Privilege.SETUP.value in p.privileges,
    ),
    nav.SETUP,
)


def _render(page: Page, status: int = 200, **data: object) -> Response:
    keys = key_service.list_keys(page.uow, page.principal, page.picked.id)
    return page.render(
        "setup/api-keys.html", status, keys=keys, privileges=PRIVILEGES, now=page.now, **data
    )


def _expiry(value: str) -> datetime | None:
    """A date from the form: the key works until the end of that day (UTC)."""
    if not value.strip():
        return None
    try:
        day = datetime.strptime(value.strip(), "%Y-%m-%d").date()
    except ValueError:
        raise InvalidInput("The expiry date is not a date.", code="invalid_expiry") from None
    return datetime.combine(day, time.max, tzinfo=UTC).replace(microsecond=0)


@router.get(PATH)
def keys_page(page: PageDep) -> Response:
    return _render(page)


@router.post(PATH)
def create_key(
    page: PageDep,
    name: Annotated[str, Form(max_length=200)],
    privileges: Annotated[list[str] | None, Form()] = None,
    expires_on: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    try:
        created = key_service.create_key(
            page.uow,
            page.principal,
            page.picked.id,
            name,
            privileges or [],
            page.now,
            expires_at=_expiry(expires_on),
        )
    except DomainError as error:
        form = {"name": name, "privileges": privileges or [], "expires_on": expires_on}
        return _render(page, status_of(error), error=error.message, form=form)
    return _render(page, 201, created=created)


@router.post(PATH + "/{key_id}/rotate")
def rotate_key(
    page: PageDep, key_id: int, grace_hours: Annotated[int, Form(ge=0, le=720)] = 24
) -> Response:
    try:
        rotated = key_service.rotate_key(
            page.uow,
            page.principal,
            page.picked.id,
            key_id,
            page.now,
            grace=timedelta(hours=grace_hours),
        )
    except DomainError as error:
        return _render(page, status_of(error), error=error.message)
    return _render(page, 201, created=rotated.created, replaced=rotated.old)


@router.get(PATH + "/{key_id}/revoke")
def confirm_revoke(page: PageDep, key_id: int) -> Response:
    """What revoking will do, and a button to do it."""
    key = key_service.get_key(page.uow, page.principal, page.picked.id, key_id)
    return page.render("setup/api-keys-revoke.html", key=key)


@router.post(PATH + "/{key_id}/revoke")
def revoke_key(page: PageDep, key_id: int) -> Response:
    try:
        key = key_service.revoke_key(page.uow, page.principal, page.picked.id, key_id, page.now)
    except DomainError as error:
        return _render(page, status_of(error), error=error.message)
    return page.redirect(PATH, f"Key “{key.name}” ({key.prefix}…) is revoked.")
