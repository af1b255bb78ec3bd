"""Setup > Archive retention: the retention period, the legal hold, and purging.

Releasing a hold and purging cannot be undone: each asks for confirmation first, naming
what will happen (the server renders the question, so it works without script).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Form, Response

from consentline.archive import admin
from consentline.domain.errors import DomainError
from consentline.portal import nav
from consentline.portal.web import Page, PageDep, portal_router
from consentline.service.access import Privilege
from consentline.web.errors import status_of

router = portal_router()
PATH = "/setup/retention"

nav.register(nav.NavItem("Archive retention", PATH, 45, nav.needs(Privilege.SETUP)), nav.SETUP)


def _render(page: Page, status: int = 200, **data: Any) -> Response:
    root, policy = admin.retention_of(page.uow, page.principal, page.picked.id)
    return page.render("setup/retention.html", status, root=root, policy=policy, **data)


def _failed(page: Page, error: DomainError) -> Response:
    return _render(page, status_of(error), error=error.message)


@router.get(PATH)
def retention_page(page: PageDep) -> Response:
    return _render(page)


@router.post(PATH + "/period")
def change_period(page: PageDep, days: Annotated[int, Form(ge=1, le=100_000)]) -> Response:
    try:
        admin.change_retention(page.uow, page.principal, page.picked.id, page.now, days=days)
    except DomainError as error:
        return _failed(page, error)
    return page.redirect(PATH, f"Records are now kept {days} days.")


@router.post(PATH + "/hold")
def place_hold(page: PageDep, reason: Annotated[str, Form(max_length=500)] = "") -> Response:
    try:
        admin.change_retention(
            page.uow, page.principal, page.picked.id, page.now, legal_hold=True, reason=reason
        )
    except DomainError as error:
        return _failed(page, error)
    return page.redirect(PATH, "Legal hold placed: nothing will be purged until it is released.")


@router.post(PATH + "/release")
def release_hold(page: PageDep, confirm: Annotated[str | None, Form()] = None) -> Response:
    if confirm != "yes":
        root, policy = admin.retention_of(page.uow, page.principal, page.picked.id)
        text = (
            f"The legal hold on {root.name} ({policy.legal_hold_reason}) ends. Purges may "
            f"then permanently remove its conversations older than {policy.retention_days} "
            "days, which the hold now keeps."
        )
        box = {
            "title": "Release the legal hold?",
            "text": text,
            "action": PATH + "/release",
            "fields": {},
            "yes": "Release the hold",
            "back": PATH,
        }
        return _render(page, confirm=box)
    try:
        admin.change_retention(page.uow, page.principal, page.picked.id, page.now, legal_hold=False)
    except DomainError as error:
        return _failed(page, error)
    return page.redirect(PATH, "Legal hold released.")


@router.post(PATH + "/purge")
def purge(page: PageDep, confirm: Annotated[str | None, Form()] = None) -> Response:
    if confirm != "yes":
        root, policy = admin.retention_of(page.uow, page.principal, page.picked.id)
        if policy.legal_hold:
            return _render(
                page, 409, error="The organization is on legal hold: nothing may be purged."
            )
        preview = admin.preview_purge(page.uow, page.principal, page.picked.id, page.now)
        text = (
            f"{preview.conversations} conversation{'s' if preview.conversations != 1 else ''} "
            f"of {root.name} with nothing newer than {preview.cutoff:%Y-%m-%d} "
            f"({preview.retention_days} days) will be permanently deleted from the archive: "
            "their messages and consent events. Consent states stay, so an opted-out contact "
            "stays opted out. This cannot be undone."
        )
        box = {
            "title": "Purge the archive?",
            "text": text,
            "action": PATH + "/purge",
            "fields": {},
            "yes": "Purge permanently",
            "back": PATH,
        }
        return _render(page, confirm=box)
    try:
        result = admin.purge(page.uow, page.principal, page.picked.id, page.now)
    except DomainError as error:
        return _failed(page, error)
    return page.redirect(
        PATH, f"Purged {result.conversations} conversations ({result.records} records)."
    )
