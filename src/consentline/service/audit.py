"""The admin audit log: ``record`` from any use case that has a unit of work.

    audit.record(uow, principal, "api_key.created", "api_key", key_id,
                 after={"name": name, "privileges": privileges}, org=org, at=now)

appends to the organization's tamper-evident chain in the use case's own transaction, so
the record exists exactly when the action was committed. ``before``/``after`` describe the
thing, never a secret: no password, key, token or whole message body goes in.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, Engine

from consentline.domain.errors import InvalidInput
from consentline.domain.timefmt import iso_z
from consentline.service.access import Principal, Privilege, visible_org
from consentline.service.unit_of_work import UnitOfWork
from consentline.store import audit as audit_store, orgs as org_store
from consentline.store.audit import AuditEntry, AuditFilter
from consentline.store.orgs import OrgRow

NO_ORGANIZATION = 0
"""The chain of actions that concern no organization (operator keys, unknown emails)."""

Actor = Principal | str


def actor_name(actor: Actor) -> str:
    return actor.name if isinstance(actor, Principal) else actor


def record(
    uow: UnitOfWork,
    actor: Actor,
    action: str,
    target_type: str,
    target_id: object,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    *,
    at: datetime,
    org: OrgRow | None = None,
    source: str | None = None,
) -> int:
    """Append one record; the caller commits. ``source`` defaults to the unit of work's."""
    entry = AuditEntry(
        root_id=org.root_id if org else NO_ORGANIZATION,
        org_id=org.id if org else None,
        at=at,
        actor=actor_name(actor)[:400],
        action=action,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id)[:200],
        before=dict(before) if before is not None else None,
        after=dict(after) if after is not None else None,
        source=(source if source is not None else uow.source or "system")[:100],
    )
    return audit_store.append(uow.connection, entry)


def record_apart(
    engine: Engine,
    source: str,
    actor: Actor,
    action: str,
    target_type: str,
    target_id: object,
    after: Mapping[str, Any] | None,
    *,
    at: datetime,
    org_id: int | None,
) -> int:
    """For a use case that only reads (a download): the record in a short write
    transaction of its own."""
    with UnitOfWork(engine, source=source) as uow:
        org = org_store.get_org(uow.connection, org_id) if org_id else None
        record_id = record(uow, actor, action, target_type, target_id, None, after, at=at, org=org)
        uow.commit()
    return record_id


# --- reading ---------------------------------------------------------------------------------

MAX_PAGE_SIZE = 500


@dataclass(frozen=True)
class AuditQuery:
    action: str | None = None
    actor: str | None = None
    start: date | None = None
    end: date | None = None
    """Both days inclusive, UTC."""


@dataclass(frozen=True)
class AuditPage:
    items: list[dict[str, Any]]
    total: int
    page: int
    page_size: int


def audit_filter(
    uow: UnitOfWork, principal: Principal, org_id: int, query: AuditQuery
) -> AuditFilter:
    org = visible_org(uow.connection, principal, org_id)
    principal.require(Privilege.SETUP, Privilege.REPORTS)
    if query.start and query.end and query.start > query.end:
        raise InvalidInput("'from' is after 'to'.", code="invalid_date_range")
    return AuditFilter(
        root_id=org.root_id,
        org_ids=None if org.parent_id is None else _subtree(uow, org),
        action=(query.action or "").strip() or None,
        actor=(query.actor or "").strip() or None,
        start=datetime.combine(query.start, time.min, tzinfo=UTC) if query.start else None,
        end=datetime.combine(query.end + timedelta(days=1), time.min, tzinfo=UTC)
        if query.end
        else None,
    )


def _subtree(uow: UnitOfWork, org: OrgRow) -> list[int]:
    children: dict[int | None, list[int]] = {}
    for each in org_store.list_orgs(uow.connection, org.root_id):
        children.setdefault(each.parent_id, []).append(each.id)
    found, todo = [], [org.id]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def _public(row: dict[str, Any]) -> dict[str, Any]:
    at: datetime = row["at"]
    return {**row, "at": iso_z(at)}


def audit_page(
    uow: UnitOfWork,
    principal: Principal,
    org_id: int,
    query: AuditQuery,
    page: int = 1,
    page_size: int = 50,
) -> AuditPage:
    """One page of an organization's audit log, newest first (Setup or Reports)."""
    where = audit_filter(uow, principal, org_id, query)
    size = max(1, min(page_size, MAX_PAGE_SIZE))
    number = max(1, page)
    rows = audit_store.page(uow.connection, where, (number - 1) * size, size)
    total = audit_store.count(uow.connection, where)
    return AuditPage([_public(row) for row in rows], total, number, size)


CSV_COLUMNS = (
    "id",
    "at",
    "actor",
    "action",
    "target_type",
    "target_id",
    "before",
    "after",
    "source",
)


def csv_lines(conn: Connection, where: AuditFilter) -> Iterator[str]:
    """Every matching record as CSV lines, newest first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for row in audit_store.every(conn, where):
        public = _public(row)
        cells = []
        for column in CSV_COLUMNS:
            value = public[column]
            if column in ("before", "after"):
                value = "" if value is None else json.dumps(value, sort_keys=True)
            cells.append(_cell(value))
        writer.writerow(cells)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    # A spreadsheet would run a cell that starts like a formula.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
