"""Conversations: search them (paged, with counts), and open one as each side saw it."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import Request, Response
from pydantic import Field

from consentline.domain import labels
from consentline.domain.consent import State
from consentline.domain.errors import DomainError
from consentline.domain.messages import Channel
from consentline.domain.timefmt import iso_z
from consentline.portal import query
from consentline.portal.lines import lines_of
from consentline.portal.transcript import side_view
from consentline.portal.web import PageDep, portal_router
from consentline.service import conversation_search, messaging
from consentline.service.access import MAX_ID, Privilege
from consentline.service.conversation_search import SearchFilter
from consentline.service.users import subtree_ids
from consentline.store import orgs as org_store, portal_queries

router = portal_router()
PAGE_SIZE = 25
Text = Annotated[str, Field(max_length=200, pattern=r"^[^\x00]*$")]


class SearchParams(query.PageQuery):
    contact: Text = Field("", title="Contact")
    line: Text = Field("", title="Employee or line")
    org: int | None = Field(None, ge=1, le=MAX_ID, title="Organization")
    channel: Channel | None = Field(None, title="Channel")
    state: State | None = Field(None, title="Consent")
    start: date | None = Field(None, alias="from", title="Last change from")
    end: date | None = Field(None, alias="to", title="Last change to")
    q: Text = Field("", title="Words in messages")
    sort: Literal["newest", "oldest"] = Field("newest", title="Sort")
    page: int = Field(1, ge=1, le=1_000_000, title="Page")


class ViewParams(query.PageQuery):
    line: Text = Field("", title="Line")
    contact: Text = Field("", title="Contact")
    channel: Channel = Field(Channel.SMS, title="Channel")


def view_url(line: str, contact: str, channel: str) -> str:
    return "/conversations/view?" + urlencode(
        {"line": line, "contact": contact, "channel": channel}
    )


@router.get("/conversations")
def conversations(request: Request, page: PageDep) -> Response:
    page.principal.require(Privilege.MESSAGING, Privilege.REPORTS)
    params, problems = query.read(request, SearchParams)
    picked = page.picked
    below = set(subtree_ids(page.uow, picked.id))
    orgs = [item for item in page.tree if item.org.id in below]
    if params.org is not None and params.org not in below:
        problems.append("Organization: not one you can see here; not used.")
        params = params.model_copy(update={"org": None})
    wanted = SearchFilter(
        org=params.org or picked.id,
        line=params.line,
        contact=params.contact,
        channel=params.channel,
        state=params.state,
        start=params.start,
        end=params.end,
        text=params.q,
        oldest_first=params.sort == "oldest",
    )
    result = None
    try:
        result = conversation_search.search(
            page.uow,
            page.principal,
            wanted,
            params.page,
            PAGE_SIZE,
            page.config.default_region,
        )
    except DomainError as error:
        if error.code == "missing_privilege":
            raise
        problems.append(error.message)
    defaults = {"page": 1, "sort": "newest"}
    kept = {
        key: value
        for key, value in params.model_dump(by_alias=True, mode="json").items()
        if value not in (None, "") and defaults.get(key) != value
    }

    def link(**change: Any) -> str:
        """This search's URL with some parameters changed (None drops one)."""
        wanted_params = {**kept, **{k: v for k, v in change.items() if v is not None}}
        for key, value in change.items():
            if value is None:
                wanted_params.pop(key, None)
        return "/conversations?" + urlencode(wanted_params)

    return page.render(
        "conversations/index.html",
        params=params,
        problems=problems,
        result=result,
        orgs=orgs,
        lines=lines_of(page),
        channels=list(Channel),
        states=list(State),
        link=link,
        view_url=view_url,
        filtered=bool(kept.keys() - {"sort", "page"}),
        labels=labels,
    )


@router.get("/conversations/view")
def conversation(request: Request, page: PageDep) -> Response:
    page.principal.require(Privilege.MESSAGING, Privilege.REPORTS)
    params, problems = query.read(request, ViewParams)
    data: dict[str, Any] = {"params": params, "problems": problems, "labels": labels}
    if not (params.line and params.contact):
        problems.append("Name a line and a contact: pick a conversation from the search.")
        return page.render("conversations/view.html", **data)
    try:
        view = messaging.conversation_view(
            page.uow,
            page.principal,
            line=messaging.line_ref(params.line),
            contact=params.contact,
            channel=params.channel,
            default_region=page.config.default_region,
        )
    except DomainError as error:
        if error.code == "missing_privilege":
            raise
        problems.append(error.message)
        return page.render("conversations/view.html", **data)
    found = messaging.find_line(
        page.uow.connection, page.principal, view["line"], page.config.default_region
    )
    timeline = portal_queries.status_timeline(
        page.uow.connection, found.id, view["contact"], view["channel"]
    )
    delivered = {
        message_id: iso_z(at)
        for message_id, steps in timeline.items()
        for status, at in steps
        if status == "delivered"
    }
    arrival = portal_queries.arrival_order(
        page.uow.connection, found.id, view["contact"], view["channel"]
    )
    org = org_store.get_org(page.uow.connection, found.org_id)
    data.update(
        view=view,
        timeline=timeline,
        guest=side_view(view["messages"], "contact", delivered, arrival),
        employee=side_view(view["messages"], "employee", delivered, arrival),
        employee_name=found.employee_name,
        org_name=org.name if org else "",
    )
    return page.render("conversations/view.html", **data)
