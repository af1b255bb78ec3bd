"""Conversations: look up a line and a contact; the transcript as each side saw it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import Response

from consentline.domain.errors import DomainError
from consentline.domain.messages import Channel
from consentline.portal.lines import lines_of
from consentline.portal.transcript import LABELS, side_view
from consentline.portal.web import PageDep, portal_router
from consentline.service import messaging
from consentline.service.access import Privilege
from consentline.store import portal_queries

router = portal_router()
CHANNELS = frozenset(c.value for c in Channel)


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


@router.get("/conversations")
def conversations(
    page: PageDep, line: str = "", contact: str = "", channel: str = "sms"
) -> Response:
    page.principal.require(Privilege.MESSAGING, Privilege.REPORTS)
    lines = lines_of(page)
    data: dict[str, Any] = {
        "lines": lines,
        "query": {"line": line, "contact": contact, "channel": channel},
        "channels": [c.value for c in Channel],
        "recent": portal_queries.recent_conversations(
            page.uow.connection, [each.id for each in lines]
        ),
        "labels": LABELS,
    }
    if line and contact:
        try:
            view = messaging.conversation_view(
                page.uow,
                page.principal,
                line=messaging.line_ref(line),
                contact=contact,
                channel=Channel(channel) if channel in CHANNELS else Channel.SMS,
                default_region=page.config.default_region,
            )
        except DomainError as error:
            data["error"] = error.message
        else:
            found = messaging.find_line(
                page.uow.connection, page.principal, view["line"], page.config.default_region
            )
            timeline = portal_queries.status_timeline(
                page.uow.connection, found.id, view["contact"], view["channel"]
            )
            delivered = {
                message_id: _iso(at)
                for message_id, steps in timeline.items()
                for status, at in steps
                if status == "delivered"
            }
            data["view"] = view
            data["timeline"] = timeline
            data["guest"] = side_view(view["messages"], "contact", delivered)
            data["employee"] = side_view(view["messages"], "employee", delivered)
            data["employee_name"] = next(
                (each.employee_name for each in lines if each.number == view["line"]), ""
            )
    return page.render("conversations/index.html", **data)
