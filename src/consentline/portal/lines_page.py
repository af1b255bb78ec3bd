"""Setup > Lines: add a line, rename its employee, move it, retire it (with confirmation)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Form, Path, Response

from consentline.domain.errors import DomainError, NotFound
from consentline.portal import nav
from consentline.portal.web import Page, PageDep, portal_router
from consentline.service import lines as line_service, orgs as org_service
from consentline.service.access import MAX_ID, Privilege
from consentline.web.errors import status_of

router = portal_router()
PATH = "/setup/lines"
LineId = Annotated[int, Path(ge=1, le=MAX_ID)]

nav.register(nav.NavItem("Lines", PATH, 25, nav.needs(Privilege.SETUP)), nav.SETUP)


def _render(page: Page, status: int = 200, **data: Any) -> Response:
    lines = line_service.list_lines(page.uow, page.principal, page.picked.id)
    # A line moves within its enterprise, to organizations this user can see.
    places = [item for item in page.tree if item.org.root_id == page.picked.root_id]
    return page.render("setup/lines.html", status, lines=lines, places=places, **data)


def _find(page: Page, line_id: int) -> Any:
    for line in line_service.list_lines(page.uow, page.principal, page.picked.id):
        if line.id == line_id:
            return line
    return None


@router.get(PATH)
def lines_page(page: PageDep) -> Response:
    return _render(page)


@router.post(PATH)
def add_line(
    page: PageDep,
    number: Annotated[str, Form(max_length=40)],
    employee_name: Annotated[str, Form(max_length=200)],
) -> Response:
    try:
        line = org_service.create_line(
            page.uow,
            page.principal,
            page.picked.id,
            number,
            employee_name,
            page.now,
            default_region=page.config.default_region,
        )
    except DomainError as error:
        form = {"number": number, "employee_name": employee_name}
        return _render(page, status_of(error), error=error.message, form=form)
    return page.redirect(PATH, f"Added the line {line.number} ({line.employee_name}).")


def _update(page: Page, line_id: int, done: str, **change: Any) -> Response:
    try:
        line = line_service.update_line(
            page.uow, page.principal, page.picked.id, line_id, page.now, **change
        )
    except DomainError as error:
        return _render(page, status_of(error), error=error.message)
    return page.redirect(PATH, done.format(number=line.number, name=line.employee_name))


@router.post(PATH + "/{line_id}/rename")
def rename(
    page: PageDep, line_id: LineId, employee_name: Annotated[str, Form(max_length=200)]
) -> Response:
    return _update(page, line_id, "{number} is now {name}'s line.", employee_name=employee_name)


@router.post(PATH + "/{line_id}/move")
def move(page: PageDep, line_id: LineId, org_id: Annotated[int, Form(ge=1, le=MAX_ID)]) -> Response:
    return _update(page, line_id, "Moved {number}.", move_to=org_id)


@router.post(PATH + "/{line_id}/retire")
def retire(
    page: PageDep, line_id: LineId, confirm: Annotated[str | None, Form()] = None
) -> Response:
    if confirm != "yes":
        line = _find(page, line_id)
        if line is None:
            raise NotFound(f"No line {line_id} in this organization.", code="unknown_line")
        text = (
            f"The line {line.number} ({line.employee_name}) will refuse every new message, "
            "sent or received, with the reason \u201cline retired\u201d. Its conversations "
            "and archive are kept, and it can be brought back later."
        )
        confirm_box = {
            "title": f"Retire {line.number}?",
            "text": text,
            "action": f"{PATH}/{line.id}/retire",
            "fields": {},
            "yes": "Retire the line",
            "back": PATH,
        }
        return _render(page, confirm=confirm_box)
    return _update(page, line_id, "Retired {number}: it takes no new messages.", retired=True)


@router.post(PATH + "/{line_id}/reactivate")
def reactivate(page: PageDep, line_id: LineId) -> Response:
    return _update(page, line_id, "{number} takes messages again.", retired=False)
