"""Setup > Delivery: messages the outbox gave up on (dead letters), and sending them again."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Response

from consentline.portal import nav
from consentline.portal.web import PageDep, portal_router
from consentline.service import outbox as outbox_service
from consentline.service.access import MAX_ID, Privilege

router = portal_router()
PATH = "/setup/delivery"


nav.register(nav.NavItem("Delivery", PATH, 50, nav.needs(Privilege.SETUP)), nav.SETUP)


@router.get(PATH)
def delivery_page(page: PageDep) -> Response:
    items = outbox_service.dead_letters(page.uow, page.principal, page.picked.id)
    return page.render("setup/delivery.html", items=items, root=page.root)


@router.post(PATH + "/{item_id}/retry")
def retry(page: PageDep, item_id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> Response:
    outbox_service.retry_dead_letter(page.uow, page.principal, page.picked.id, item_id, page.now)
    page.wake_outbox()
    return page.redirect(PATH, f"Message {item_id} will be sent again.")
