"""The SMS Opt-In Report (SPEC §5): consent records of an organization and its children.

One query builds every output: a page of JSON, or every row streamed from a server-side
cursor into CSV or XLSX, so an export never holds the whole report in memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, Select, func, select
from sqlalchemy.orm import aliased

from consentline.domain.consent import State
from consentline.domain.errors import InvalidInput
from consentline.domain.settings import ConsentScope, Mode
from consentline.domain.timefmt import iso_z
from consentline.service.report_scope import Scope
from consentline.service.settings import policy_settings_from
from consentline.store import orgs as org_store
from consentline.store.tables import conversations, lines, messages, orgs

MAX_PAGE_SIZE = 500
MAX_PAGE = 10_000_000
BATCH = 2000

COLUMNS: tuple[tuple[str, str], ...] = (
    ("organization", "Organization"),
    ("sub_organization", "Sub-organization"),
    ("employee", "Employee"),
    ("line", "Line"),
    ("contact", "Contact"),
    ("channel", "Channel"),
    ("mode", "Mode"),
    ("state", "State"),
    ("requested_at", "Requested at (UTC)"),
    ("decided_at", "Decided at (UTC)"),
    ("deciding_message", "Deciding message"),
    ("deciding_message_id", "Deciding message id"),
    ("opt_out_source", "Opt-out source"),
    ("last_changed_at", "Last changed at (UTC)"),
)


@dataclass(frozen=True)
class ReportFilter:
    mode: Mode = Mode.CONSENT
    start: date | None = None
    end: date | None = None
    org_id: int | None = None
    state: State | None = None
    employee: str | None = None

    def described(self, export_format: str) -> dict[str, Any]:
        """The export as the audit log records it."""
        return {
            "report": "sms-optin",
            "format": export_format,
            "mode": self.mode.value,
            "from": self.start.isoformat() if self.start else None,
            "to": self.end.isoformat() if self.end else None,
            "org": self.org_id,
            "state": self.state.value if self.state else None,
            "employee": self.employee,
        }


def _needs_lines(scope: Scope, report: ReportFilter) -> bool:
    return not scope.whole_tree or bool(report.employee)


def _filtered(query: Select[Any], scope: Scope, report: ReportFilter) -> Select[Any]:
    """The report's filters; ``query`` must already join ``lines`` if ``_needs_lines``."""
    query = query.where(
        conversations.c.root_id == scope.root_id,
        conversations.c.mode == report.mode.value,
    )
    if not scope.whole_tree:
        query = query.where(lines.c.org_id.in_(sorted(scope.org_ids)))
    if report.state is not None:
        query = query.where(conversations.c.state == report.state.value)
    if report.employee:
        query = query.where(func.lower(lines.c.employee_name) == report.employee.strip().lower())
    if report.start is not None:
        query = query.where(conversations.c.updated_at >= _day(report.start))
    if report.end is not None:
        query = query.where(conversations.c.updated_at < _day(report.end + timedelta(days=1)))
    return query


def _ids(scope: Scope, report: ReportFilter) -> Select[Any]:
    """Only the conversations table (and lines when a filter needs it): what the report's
    index (root_id, mode, updated_at, id) answers for the total and for a page."""
    query = select(conversations.c.id).select_from(conversations)
    if _needs_lines(scope, report):
        query = query.join(lines, lines.c.id == conversations.c.line_id)
    return _filtered(query, scope, report)


def _details() -> Select[Any]:
    root = aliased(orgs, name="root_org")
    unit = aliased(orgs, name="unit_org")
    deciding = aliased(messages, name="deciding")
    return (
        select(
            root.c.name.label("organization"),
            unit.c.name.label("unit_name"),
            unit.c.id.label("unit_id"),
            lines.c.employee_name.label("employee"),
            lines.c.number.label("line"),
            conversations.c.id.label("conversation_id"),
            conversations.c.contact,
            conversations.c.channel,
            conversations.c.mode,
            conversations.c.state,
            conversations.c.requested_at,
            conversations.c.decided_at,
            deciding.c.body.label("deciding_message"),
            conversations.c.evidence_message_id.label("deciding_message_id"),
            conversations.c.optout_source.label("opt_out_source"),
            conversations.c.updated_at.label("last_changed_at"),
        )
        .select_from(conversations)
        .join(lines, lines.c.id == conversations.c.line_id)
        .join(unit, unit.c.id == lines.c.org_id)
        .join(root, root.c.id == conversations.c.root_id)
        .outerjoin(deciding, deciding.c.id == conversations.c.evidence_message_id)
    )


NEWEST_FIRST = (conversations.c.updated_at.desc(), conversations.c.id.desc())


def _day(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def _row(row: Any, root_id: int) -> dict[str, Any]:
    return {
        "organization": row.organization,
        "sub_organization": row.unit_name if row.unit_id != root_id else None,
        "employee": row.employee,
        "line": row.line,
        "contact": row.contact,
        "channel": row.channel,
        "mode": row.mode,
        "state": row.state,
        "requested_at": iso_z(row.requested_at),
        "decided_at": iso_z(row.decided_at),
        "deciding_message": row.deciding_message,
        "deciding_message_id": row.deciding_message_id,
        # A carrier's opt-out: carrier:code-or-keyword (twilio:STOP, whatsapp:131050).
        "opt_out_source": row.opt_out_source,
        "last_changed_at": iso_z(row.last_changed_at),
        "conversation_id": row.conversation_id,
    }


def page(
    conn: Connection, scope: Scope, report: ReportFilter, number: int, size: int
) -> dict[str, Any]:
    """One page of rows, newest change first, and the total."""
    if not 1 <= number <= MAX_PAGE or not 1 <= size <= MAX_PAGE_SIZE:
        raise InvalidInput(
            f"page is 1 to {MAX_PAGE}; page_size is 1 to {MAX_PAGE_SIZE}.", code="out_of_range"
        )
    ids = _ids(scope, report)
    total = conn.execute(select(func.count()).select_from(ids.subquery())).scalar_one()
    wanted = ids.order_by(*NEWEST_FIRST).limit(size).offset((number - 1) * size)
    chosen = [row.id for row in conn.execute(wanted)]
    rows = []
    if chosen:
        query = _details().where(conversations.c.id.in_(chosen)).order_by(*NEWEST_FIRST)
        rows = [_row(row, scope.root_id) for row in conn.execute(query)]
        _mark_blocked(conn, scope.root_id, rows)
    return {"rows": rows, "total": int(total), "page": number, "page_size": size}


def counts_by_day(conn: Connection, scope: Scope, report: ReportFilter) -> list[Any]:
    """(day of last change, state, how many) for the report's rows: the chart's data, so
    that its totals are the table's."""
    day = func.date(conversations.c.updated_at).label("day")
    query = select(day, conversations.c.state, func.count().label("n")).select_from(conversations)
    if _needs_lines(scope, report):
        query = query.join(lines, lines.c.id == conversations.c.line_id)
    query = _filtered(query, scope, report).group_by(day, conversations.c.state)
    return list(conn.execute(query))


def _mark_blocked(conn: Connection, root_id: int, rows: list[dict[str, Any]]) -> None:
    """Under an organization-wide ``consent_scope``, name on each row the opt-out on another
    line that blocks its sends (``blocked_by``: line, channel, decided_at)."""
    settings = policy_settings_from(org_store.load_settings_document(conn, root_id))
    scope = settings.consent_scope
    if scope is ConsentScope.LINE:
        return
    contacts = sorted({row["contact"] for row in rows})
    query = (
        select(
            conversations.c.id,
            conversations.c.contact,
            conversations.c.channel,
            conversations.c.decided_at,
            lines.c.number,
        )
        .join(lines, lines.c.id == conversations.c.line_id)
        .where(
            conversations.c.root_id == root_id,
            conversations.c.contact.in_(contacts),
            conversations.c.state == State.OPTED_OUT.value,
        )
        .order_by(conversations.c.decided_at.desc())
    )
    opt_outs = conn.execute(query).all()
    for row in rows:
        if row["state"] == State.OPTED_OUT.value:
            continue
        decided = row["decided_at"]
        for out in opt_outs:
            same_channel = scope is ConsentScope.ORGANIZATION_ALL_CHANNELS or (
                out.channel == row["channel"]
            )
            newer = decided is None or (iso_z(out.decided_at) or "") > decided
            if out.contact == row["contact"] and out.id != row["conversation_id"] and same_channel:
                if newer:
                    row["blocked_by"] = {
                        "line": out.number,
                        "channel": out.channel,
                        "decided_at": iso_z(out.decided_at),
                    }
                break


def stream(conn: Connection, scope: Scope, report: ReportFilter) -> Iterator[dict[str, Any]]:
    """Every row, in the report's order, fetched in batches from a server-side cursor."""
    query = _filtered(_details(), scope, report).order_by(*NEWEST_FIRST)
    result = conn.execution_options(stream_results=True, yield_per=BATCH).execute(query)
    for row in result:
        yield _row(row, scope.root_id)
