"""Search conversations: by contact, employee or line, organization, channel, consent state,
last change and words in their messages; a page at a time, with counts per state."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from consentline.domain.consent import State
from consentline.domain.errors import InvalidInput
from consentline.domain.messages import Channel
from consentline.domain.phone import to_e164
from consentline.service.access import MAX_ID, Principal, Privilege, visible_org
from consentline.service.unit_of_work import UnitOfWork
from consentline.service.users import subtree_ids
from consentline.store import conversation_search as store

MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class SearchFilter:
    org: int | None = None
    """An organization and its sub-organizations; the caller's own by default."""
    line: str = ""
    """A line's number or id, or part of its employee's name."""
    contact: str = ""
    channel: Channel | None = None
    state: State | None = None
    start: date | None = None
    end: date | None = None
    """Last change on or before this day (UTC)."""
    text: str = ""
    oldest_first: bool = False


@dataclass(frozen=True)
class ConversationSummary:
    id: int
    line: str
    line_id: int
    employee: str
    org_id: int
    org_name: str
    contact: str
    channel: str
    state: str
    mode: str | None
    initiated_by: str | None
    last_change_at: datetime

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "line": self.line,
            "employee": self.employee,
            "org_id": self.org_id,
            "contact": self.contact,
            "channel": self.channel,
            "state": self.state,
            "mode": self.mode,
            "initiated_by": self.initiated_by,
            "last_change_at": self.last_change_at.astimezone(UTC)
            .isoformat()
            .replace("+00:00", "Z"),
        }


@dataclass(frozen=True)
class SearchResult:
    items: list[ConversationSummary]
    total: int
    page: int
    page_size: int
    by_state: dict[str, int] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def _day(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def _query(
    uow: UnitOfWork, principal: Principal, wanted: SearchFilter, region: str
) -> store.SearchQuery:
    org_id = wanted.org if wanted.org is not None else principal.org_id
    if org_id is None:
        raise InvalidInput("Name an organization: org=<id>.", code="org_required")
    org = visible_org(uow.connection, principal, org_id)
    below = None if org.parent_id is None else frozenset(subtree_ids(uow, org.id))
    if wanted.start and wanted.end and wanted.start > wanted.end:
        raise InvalidInput("The first day comes after the last day.", code="invalid_range")
    line = wanted.line.strip()
    line_number, line_id = None, None
    if line.isdigit() and len(line) <= 6:
        line_id = int(line)
    elif line:
        try:
            line_number = to_e164(line, region)
        except InvalidInput:
            line_number = None  # not a number: the employee's name
    return store.SearchQuery(
        root_id=org.root_id,
        org_ids=below,
        line_number=line_number,
        line_id=line_id if line_id is not None and line_id <= MAX_ID else None,
        employee=line or None,
        contact=to_e164(wanted.contact, region) if wanted.contact.strip() else None,
        channel=wanted.channel.value if wanted.channel else None,
        state=wanted.state.value if wanted.state else None,
        start=_day(wanted.start) if wanted.start else None,
        end=_day(wanted.end + timedelta(days=1)) if wanted.end else None,
        words=store.words_of(wanted.text),
        oldest_first=wanted.oldest_first,
    )


def search(
    uow: UnitOfWork,
    principal: Principal,
    wanted: SearchFilter,
    page: int = 1,
    page_size: int = 25,
    default_region: str = "US",
) -> SearchResult:
    """One page of the conversations that match, by last change, and how many match."""
    principal.require(Privilege.MESSAGING, Privilege.REPORTS)
    if page < 1 or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise InvalidInput(f"page starts at 1; page_size is 1 to {MAX_PAGE_SIZE}.")
    query = _query(uow, principal, wanted, default_region)
    conn = uow.connection
    by_state = store.count_by_state(conn, query)
    total = sum(by_state.values())
    rows = store.find(conn, query, (page - 1) * page_size, page_size) if total else []
    items = [
        ConversationSummary(
            id=row["id"],
            line=row["line"],
            line_id=row["line_id"],
            employee=row["employee_name"],
            org_id=row["org_id"],
            org_name=row["org_name"],
            contact=row["contact"],
            channel=row["channel"],
            state=row["state"],
            mode=row["mode"],
            initiated_by=row["initiated_by"],
            last_change_at=row["updated_at"],
        )
        for row in rows
    ]
    return SearchResult(items, total, page, page_size, by_state)
