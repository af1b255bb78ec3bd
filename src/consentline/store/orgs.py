"""Organizations, their settings and history, lines, API keys and users."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update

from consentline.store.tables import api_keys, lines, org_settings, orgs, settings_changes, users
from consentline.store.types import inserted_id


@dataclass(frozen=True)
class OrgRow:
    id: int
    name: str
    parent_id: int | None
    root_id: int


@dataclass(frozen=True)
class LineRow:
    id: int
    org_id: int
    root_id: int
    number: str
    employee_name: str
    retired_at: datetime | None = None


@dataclass(frozen=True)
class KeyRow:
    id: int
    org_id: int | None
    name: str
    privileges: tuple[str, ...]
    is_operator: bool
    revoked_at: datetime | None = None
    expires_at: datetime | None = None
    last_used_at: datetime | None = None


def insert_org(conn: Connection, name: str, parent: OrgRow | None, now: datetime) -> OrgRow:
    org_id = inserted_id(
        conn.execute(
            insert(orgs).values(
                name=name,
                parent_id=parent.id if parent else None,
                root_id=parent.root_id if parent else None,
                created_at=now,
            )
        )
    )
    if parent is None:
        conn.execute(update(orgs).where(orgs.c.id == org_id).values(root_id=org_id))
    return OrgRow(org_id, name, parent.id if parent else None, parent.root_id if parent else org_id)


def get_org(conn: Connection, org_id: int) -> OrgRow | None:
    row = conn.execute(select(orgs).where(orgs.c.id == org_id)).first()
    return OrgRow(row.id, row.name, row.parent_id, row.root_id) if row else None


def list_orgs(conn: Connection, root_id: int | None = None) -> list[OrgRow]:
    query = select(orgs).order_by(orgs.c.id)
    if root_id is not None:
        query = query.where(orgs.c.root_id == root_id)
    return [OrgRow(r.id, r.name, r.parent_id, r.root_id) for r in conn.execute(query)]


def ancestor_ids(conn: Connection, org: OrgRow) -> list[int]:
    """The organization and every organization above it, nearest first."""
    chain = [org.id]
    parent_id = org.parent_id
    while parent_id is not None:
        chain.append(parent_id)
        parent_id = conn.execute(select(orgs.c.parent_id).where(orgs.c.id == parent_id)).scalar()
    return chain


def load_settings_document(conn: Connection, root_id: int) -> dict[str, Any] | None:
    document = conn.execute(
        select(org_settings.c.document).where(org_settings.c.root_id == root_id)
    ).scalar()
    return dict(document) if document is not None else None


def save_settings_document(
    conn: Connection, root_id: int, document: dict[str, Any], now: datetime
) -> None:
    updated = conn.execute(
        update(org_settings)
        .where(org_settings.c.root_id == root_id)
        .values(document=document, updated_at=now)
    ).rowcount
    if not updated:
        conn.execute(
            insert(org_settings).values(root_id=root_id, document=document, updated_at=now)
        )


def record_setting_change(
    conn: Connection, root_id: int, actor: str, setting: str, old: Any, new: Any, now: datetime
) -> None:
    conn.execute(
        insert(settings_changes).values(
            root_id=root_id,
            actor=actor,
            setting=setting,
            old_value=old,
            new_value=new,
            changed_at=now,
        )
    )


def settings_history(conn: Connection, root_id: int) -> list[dict[str, Any]]:
    query = (
        select(settings_changes)
        .where(settings_changes.c.root_id == root_id)
        .order_by(settings_changes.c.id)
    )
    return [
        {
            "setting": row.setting,
            "actor": row.actor,
            "old_value": row.old_value,
            "new_value": row.new_value,
            "changed_at": row.changed_at,
        }
        for row in conn.execute(query)
    ]


def insert_line(
    conn: Connection, org: OrgRow, number: str, employee_name: str, now: datetime
) -> LineRow:
    line_id = inserted_id(
        conn.execute(
            insert(lines).values(
                org_id=org.id,
                root_id=org.root_id,
                number=number,
                employee_name=employee_name,
                created_at=now,
            )
        )
    )
    return LineRow(line_id, org.id, org.root_id, number, employee_name)


def _line(row: Any) -> LineRow:
    return LineRow(row.id, row.org_id, row.root_id, row.number, row.employee_name, row.retired_at)


def get_line(conn: Connection, line_id: int) -> LineRow | None:
    row = conn.execute(select(lines).where(lines.c.id == line_id)).first()
    return _line(row) if row else None


def update_line(
    conn: Connection,
    line_id: int,
    *,
    employee_name: str,
    org: OrgRow,
    retired_at: datetime | None,
) -> LineRow:
    conn.execute(
        update(lines)
        .where(lines.c.id == line_id)
        .values(employee_name=employee_name, org_id=org.id, retired_at=retired_at)
    )
    found = get_line(conn, line_id)
    assert found is not None
    return found


def find_line_by_number(conn: Connection, number: str) -> LineRow | None:
    row = conn.execute(select(lines).where(lines.c.number == number)).first()
    return _line(row) if row else None


@dataclass(frozen=True)
class LineWithPolicy:
    """What a message on a line needs: the line, its company's name, its settings."""

    line: LineRow
    company_name: str
    settings_document: dict[str, Any] | None


LINE_WITH_POLICY = select(
    lines,
    orgs.c.name.label("company_name"),
    org_settings.c.document.label("settings_document"),
).select_from(
    lines.join(orgs, orgs.c.id == lines.c.root_id).outerjoin(
        org_settings, org_settings.c.root_id == lines.c.root_id
    )
)
# Built once, for every message (their compiled forms are cached).
LINE_WITH_POLICY_BY_ID = LINE_WITH_POLICY.where(lines.c.id == bindparam("line_id"))
LINE_WITH_POLICY_BY_NUMBER = LINE_WITH_POLICY.where(lines.c.number == bindparam("number"))


def line_with_policy(conn: Connection, line: int | str) -> LineWithPolicy | None:
    """A line by id (an int) or E.164 number (a str), in one query."""
    if isinstance(line, int):
        found = conn.execute(LINE_WITH_POLICY_BY_ID, {"line_id": line}).first()
    else:
        found = conn.execute(LINE_WITH_POLICY_BY_NUMBER, {"number": line}).first()
    return line_with_policy_of(found) if found is not None else None


def line_with_policy_of(row: Any) -> LineWithPolicy:
    """A row of ``LINE_WITH_POLICY`` (or a query that extends it)."""
    document = row.settings_document
    return LineWithPolicy(
        _line(row), row.company_name, dict(document) if document is not None else None
    )


def list_lines(conn: Connection, root_id: int) -> list[LineRow]:
    query = select(lines).where(lines.c.root_id == root_id).order_by(lines.c.id)
    return [_line(row) for row in conn.execute(query)]


_KEY_BY_HASH = select(api_keys).where(api_keys.c.key_hash == bindparam("key_hash"))  # built once


def find_api_key(conn: Connection, key_hash: str) -> KeyRow | None:
    """The key with this hash, revoked or expired too (the caller says which)."""
    row = conn.execute(_KEY_BY_HASH, {"key_hash": key_hash}).first()
    if row is None:
        return None
    return KeyRow(
        row.id,
        row.org_id,
        row.name,
        tuple(row.privileges),
        bool(row.is_operator),
        row.revoked_at,
        row.expires_at,
        row.last_used_at,
    )


def email_taken(conn: Connection, email: str) -> bool:
    return conn.execute(select(users.c.id).where(users.c.email == email)).first() is not None


def insert_user(
    conn: Connection,
    org_id: int | None,
    email: str,
    name: str,
    password_hash: str,
    privileges: list[str],
    is_operator: bool,
    now: datetime,
) -> int:
    return inserted_id(
        conn.execute(
            insert(users).values(
                org_id=org_id,
                email=email,
                name=name,
                password_hash=password_hash,
                privileges=privileges,
                is_operator=is_operator,
                created_at=now,
            )
        )
    )
