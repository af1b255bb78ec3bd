"""Try it: two phones. The employee's phone and the guest's, side by side, both live.

Typing on a phone goes through the real service (``send_outbound`` for the employee,
``receive_inbound`` for the guest); what each phone shows is what the outbox worker
delivered to it through the simulator, plus what that phone sent. The phones poll.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Form, Response

from consentline.domain.errors import DomainError
from consentline.domain.messages import Channel
from consentline.domain.phone import to_e164
from consentline.portal.lines import lines_of
from consentline.portal.transcript import LABELS, NOTES
from consentline.portal.web import Page, PageDep, portal_router
from consentline.service import messaging
from consentline.service.access import Privilege
from consentline.service.demo import DEMO_CONTACT
from consentline.store import portal_queries
from consentline.store.orgs import LineRow

router = portal_router()
PATH = "/try"
SIDES = ("employee", "contact")


def _line(page: Page, line_id: str) -> LineRow | None:
    lines = lines_of(page)
    chosen = next((line for line in lines if str(line.id) == line_id), None)
    return chosen or (lines[0] if lines else None)


def _contact(page: Page, contact: str) -> str:
    try:
        return to_e164(contact, page.config.default_region) if contact else DEMO_CONTACT
    except DomainError:
        return DEMO_CONTACT


def phone(page: Page, line: LineRow, contact: str, side: str) -> dict[str, Any]:
    """One phone's screen: what it sent (from the archive) and what reached it (simulator)."""
    page.principal.require(Privilege.MESSAGING)
    view = messaging.conversation_view(
        page.uow,
        page.principal,
        line=line.id,
        contact=contact,
        channel=Channel.SMS,
        default_region=page.config.default_region,
    )
    sent = [
        {
            "key": (_moment(message["created_at"]), 0, message["id"]),
            "body": message["body"],
            "mine": True,
            "auto": False,
            "note": NOTES.get(message["status"] or ""),
        }
        for message in view["messages"]
        if message["sender"] == side
    ]
    received = [
        {
            "key": (row["delivered_at"], 1, row["id"]),
            "body": row["body"],
            "mine": False,
            "auto": row["kind"] == "auto",
            "note": None,
        }
        for row in portal_queries.phone_deliveries(page.uow.connection, line.number, contact)
        if row["side"] == side
    ]
    bubbles = sorted(sent + received, key=lambda bubble: bubble["key"])
    state = view["consent"]["state"]
    return {"bubbles": bubbles, "state": state, "state_label": LABELS.get(state, state)}


def _moment(iso: str) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00"))


@router.get(PATH)
def try_it(page: PageDep, line: str = "", contact: str = "", new: str = "") -> Response:
    chosen = _line(page, line)
    number = f"+1555019{secrets.randbelow(10_000):04d}" if new else _contact(page, contact)
    principal = page.principal
    can_message = principal.is_operator or Privilege.MESSAGING.value in principal.privileges
    screens = (
        {side: phone(page, chosen, number, side) for side in SIDES}
        if can_message and chosen
        else {}
    )
    return page.render(
        "try/index.html",
        lines=lines_of(page),
        line=chosen,
        contact=number,
        sides=SIDES,
        screens=screens,
        can_message=can_message,
    )


@router.get(PATH + "/phone")
def phone_screen(page: PageDep, line: str, contact: str, side: str) -> Response:
    chosen = _line(page, line)
    if chosen is None or side not in SIDES:
        return Response(status_code=404)
    screen = phone(page, chosen, _contact(page, contact), side)
    return page.render("try/_screen.html", side=side, **screen)


@router.post(PATH + "/send")
def send(
    page: PageDep,
    line: Annotated[str, Form()],
    contact: Annotated[str, Form()],
    side: Annotated[str, Form()],
    body: Annotated[str, Form(max_length=1600)] = "",
) -> Response:
    chosen = _line(page, line)
    if chosen is None or side not in SIDES:
        return page.render("try/_result.html", 404, error="No such line or phone.")
    number = _contact(page, contact)
    try:
        if side == "employee":
            result = messaging.send_outbound(
                page.uow,
                page.principal,
                line=chosen.id,
                to=number,
                body=body,
                channel=Channel.SMS,
                now=page.now,
                default_region=page.config.default_region,
            )
        else:
            result = messaging.receive_inbound(
                page.uow,
                page.principal,
                line=chosen.id,
                sender=number,
                body=body,
                channel=Channel.SMS,
                now=page.now,
                default_region=page.config.default_region,
            )
    except DomainError as error:
        if not page.request.headers.get("HX-Request"):
            query = urlencode({"line": chosen.id, "contact": number})
            return page.redirect(f"{PATH}?{query}", f"Not sent: {error.message}")
        return page.render("try/_result.html", 422, error=error.message, side=side)
    page.wake_outbox()
    if not page.request.headers.get("HX-Request"):  # a plain form post, without script
        query = urlencode({"line": chosen.id, "contact": number})
        return page.redirect(f"{PATH}?{query}", f"Sent from the {side}'s phone: {result.status}.")
    response = page.render("try/_result.html", side=side, result=result.as_json())
    response.headers["HX-Trigger"] = "phones-changed"
    return response
