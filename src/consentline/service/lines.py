"""Lines of an organization: list, rename the employee, move, retire. Each change audited."""

from __future__ import annotations

from datetime import datetime

from consentline.domain.errors import InvalidInput, NotFound
from consentline.service import audit
from consentline.service.access import MAX_ID, Principal, Privilege, visible_org
from consentline.service.unit_of_work import UnitOfWork
from consentline.service.users import subtree_ids
from consentline.store import orgs as org_store
from consentline.store.orgs import LineRow


def list_lines(uow: UnitOfWork, principal: Principal, org_id: int) -> list[LineRow]:
    """The lines of the organization and of every organization below it."""
    org = visible_org(uow.connection, principal, org_id)
    principal.require(Privilege.SETUP, Privilege.REPORTS, Privilege.MESSAGING)
    below = set(subtree_ids(uow, org.id))
    return [
        line for line in org_store.list_lines(uow.connection, org.root_id) if line.org_id in below
    ]


def update_line(
    uow: UnitOfWork,
    principal: Principal,
    org_id: int,
    line_id: int,
    now: datetime,
    *,
    employee_name: str | None = None,
    move_to: int | None = None,
    retired: bool | None = None,
) -> LineRow:
    """Rename the line's employee, move it to another organization of the same enterprise,
    retire it (it then refuses new messages and keeps its archive) or bring it back."""
    conn = uow.connection
    org = visible_org(conn, principal, org_id)
    principal.require(Privilege.SETUP)
    line = org_store.get_line(conn, line_id) if 0 < line_id <= MAX_ID else None
    if line is None or line.org_id not in subtree_ids(uow, org.id):
        raise NotFound(f"No line {line_id} in this organization.", code="unknown_line")
    name = line.employee_name
    if employee_name is not None:
        name = employee_name.strip()
        if not name or len(name) > 200:
            raise InvalidInput(
                "The employee name must be 1 to 200 characters.", code="invalid_name"
            )
    target = org_store.get_org(conn, line.org_id)
    assert target is not None
    if move_to is not None and move_to != line.org_id:
        target = visible_org(conn, principal, move_to)
        if target.root_id != line.root_id:
            raise InvalidInput(
                "A line moves only within its main organization and its sub-organizations.",
                code="other_enterprise",
            )
    retired_at = line.retired_at
    if retired is not None:
        retired_at = (line.retired_at or now) if retired else None
    updated = org_store.update_line(
        conn, line.id, employee_name=name, org=target, retired_at=retired_at
    )
    _audit(uow, principal, line, updated, now)
    uow.commit()
    return updated


def _audit(
    uow: UnitOfWork, principal: Principal, old: LineRow, new: LineRow, now: datetime
) -> None:
    org = org_store.get_org(uow.connection, new.org_id)
    before: dict[str, object] = {}
    after: dict[str, object] = {}
    if old.employee_name != new.employee_name:
        before["employee_name"], after["employee_name"] = old.employee_name, new.employee_name
    if old.org_id != new.org_id:
        before["org_id"], after["org_id"] = old.org_id, new.org_id
    if before:
        before["number"] = after["number"] = new.number
        audit.record(uow, principal, "line.changed", "line", new.id, before, after, at=now, org=org)
    if (old.retired_at is None) != (new.retired_at is None):
        action = "line.retired" if new.retired_at else "line.reactivated"
        state = {"number": new.number, "employee_name": new.employee_name}
        audit.record(
            uow,
            principal,
            action,
            "line",
            new.id,
            {**state, "retired": old.retired_at is not None},
            {**state, "retired": new.retired_at is not None},
            at=now,
            org=org,
        )
