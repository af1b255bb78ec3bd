"""``GET /api/v1/conversations/search``: the Conversations page's search, as JSON."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel

from consentline.api.deps import ConfigDep, PrincipalDep, UowDep
from consentline.api.errors import ERROR_RESPONSES
from consentline.api.schemas import ChannelName
from consentline.domain.consent import State
from consentline.domain.messages import Channel
from consentline.service import conversation_search
from consentline.service.access import MAX_ID
from consentline.service.conversation_search import MAX_PAGE_SIZE, SearchFilter

router = APIRouter(prefix="/api/v1", tags=["messages"], responses=ERROR_RESPONSES)
Text = Annotated[str, Query(max_length=200, pattern=r"^[^\x00]*$")]


class ConversationFound(BaseModel):
    id: int
    line: str
    employee: str
    org_id: int
    contact: str
    channel: ChannelName
    state: str
    mode: str | None
    initiated_by: str | None
    last_change_at: datetime


class ConversationSearchPublic(BaseModel):
    items: list[ConversationFound]
    total: int
    page: int
    page_size: int


@router.get("/conversations/search", response_model=ConversationSearchPublic)
def search_conversations(
    uow: UowDep,
    principal: PrincipalDep,
    config: ConfigDep,
    contact: Annotated[Text, Query(description="The contact's number, in any common format.")] = "",
    line: Annotated[
        Text, Query(description="A line's number or id, or part of its employee's name.")
    ] = "",
    org: Annotated[
        int | None,
        Query(ge=1, le=MAX_ID, description="An organization and its sub-organizations."),
    ] = None,
    channel: Annotated[ChannelName | None, Query()] = None,
    state: Annotated[State | None, Query()] = None,
    start: Annotated[
        date | None, Query(alias="from", description="Last change on or after this day (UTC).")
    ] = None,
    end: Annotated[
        date | None, Query(alias="to", description="Last change on or before this day (UTC).")
    ] = None,
    q: Annotated[Text, Query(description="Words in the messages (each matches a prefix).")] = "",
    sort: Annotated[Literal["newest", "oldest"], Query(description="By last change.")] = "newest",
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 25,
) -> dict[str, object]:
    """Conversations matching every filter given, by last change; the same privileges as
    ``GET /api/v1/conversations`` (messaging or reports)."""
    wanted = SearchFilter(
        org=org,
        line=line,
        contact=contact,
        channel=Channel(channel) if channel else None,
        state=state,
        start=start,
        end=end,
        text=q,
        oldest_first=sort == "oldest",
    )
    result = conversation_search.search(
        uow, principal, wanted, page, page_size, config.default_region
    )
    return {
        "items": [item.as_json() for item in result.items],
        "total": result.total,
        "page": result.page,
        "page_size": result.page_size,
    }
