"""Try it: two phones. The employee's phone and the guest's, side by side, both live.

Typing on a phone goes through the real service (``send_outbound`` for the employee,
``receive_inbound`` for the guest); what each phone shows is what the outbox worker
delivered to it through the simulator, plus what that phone sent. The phones poll.
"""

from __future__ import annotations

import secrets
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import Form, Request, Response
from pydantic import Field

from consentline.domain import labels
from consentline.domain.errors import DomainError, NotFound
from consentline.domain.messages import Channel
from consentline.domain.phone import to_e164
from consentline.portal import query
from consentline.portal.lines import lines_of
from consentline.portal.transcript import NOTES, moment
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


def _contact(page: Page, contact: str) -> str | None:
    """The guest's number in E.164, the demo guest when none is given, None when unusable."""
    try:
        return to_e164(contact, page.config.default_region) if contact else DEMO_CONTACT
    except DomainError:
        return None


class TryParams(query.PageQuery):
    line: str = Field("", max_length=20, title="Employee line")
    contact: str = Field("", max_length=40, title="Guest's number")
    new: str = Field("", max_length=10)


class PhoneParams(TryParams):
    side: Literal["employee", "contact"] = Field("contact", title="Phone")


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
    released = {
        message_id: at
        for message_id, steps in portal_queries.status_timeline(
            page.uow.connection, line.id, view["contact"], view["channel"]
        ).items()
        for status, at in steps
        if status == "delivered"
    }
    arrival = portal_queries.arrival_order(
        page.uow.connection, line.id, view["contact"], view["channel"]
    )
    written = {message["id"]: moment(message["created_at"]) for message in view["messages"]}
    sent = [
        {
            "key": (moment(message["created_at"]), arrival.get(message["id"], 0)),
            "body": message["body"],
            "mine": True,
            "auto": False,
            "note": NOTES.get(message["status"] or ""),
            "at": moment(message["created_at"]),
            "written_at": moment(message["created_at"]),
        }
        for message in view["messages"]
        if message["sender"] == side
    ]
    # A received message sits where the gateway released it to this side (a held message
    # at the contact's YES), not where it was written, nor where the carrier's report landed.
    received = []
    for row in portal_queries.phone_deliveries(page.uow.connection, line.number, contact):
        if row["side"] != side:
            continue
        at = released.get(row["message_id"], row["delivered_at"])
        received.append(
            {
                "key": (at, arrival.get(row["message_id"], 0)),
                "body": row["body"],
                "mine": False,
                "auto": row["kind"] == "auto",
                "note": None,
                "at": at,
                "written_at": written.get(row["message_id"], at),
            }
        )
    bubbles = sorted(sent + received, key=lambda bubble: bubble["key"])
    state = view["consent"]["state"]
    return {"bubbles": bubbles, "state": state, "state_label": labels.state(state)}


@router.get(PATH)
def try_it(request: Request, page: PageDep) -> Response:
    params, problems = query.read(request, TryParams)
    chosen = _line(page, params.line)
    if params.new:
        number: str | None = f"+1555019{secrets.randbelow(10_000):04d}"
    else:
        number = _contact(page, params.contact)
    if number is None:
        problems.append(
            f"Guest's number: {params.contact!r} is not a phone number; write it like "
            "+1 555 019 9001."
        )
    principal = page.principal
    can_message = principal.is_operator or Privilege.MESSAGING.value in principal.privileges
    screens = (
        {side: phone(page, chosen, number, side) for side in SIDES}
        if can_message and chosen and number
        else {}
    )
    return page.render(
        "try/index.html",
        lines=lines_of(page),
        line=chosen,
        contact=number or params.contact,
        sides=SIDES,
        screens=screens,
        can_message=can_message,
        problems=problems,
    )


@router.get(PATH + "/phone")
def phone_screen(request: Request, page: PageDep) -> Response:
    params, problems = query.read(request, PhoneParams)
    chosen = _line(page, params.line)
    number = _contact(page, params.contact)
    if chosen is None or number is None or problems:
        raise NotFound("No such phone: name a line, a guest's number and a side.")
    screen = phone(page, chosen, number, params.side)
    return page.render("try/_screen.html", side=params.side, **screen)


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
    if number is None:
        return page.render("try/_result.html", 422, error="The guest's number is not valid.")
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
