"""Appending to the admin audit log and reading it back."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, func, insert, select, update

from consentline.domain import audit_chain
from consentline.store.audit_tables import audit_heads, audit_log
from consentline.store.types import inserted_id


@dataclass(frozen=True)
class AuditEntry:
    root_id: int
    org_id: int | None
    at: datetime
    actor: str
    action: str
    target_type: str
    target_id: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    source: str


def _lock_head(conn: Connection, root_id: int) -> tuple[int, str]:
    """The chain's length and head, locked until the transaction ends (PostgreSQL: the
    row; SQLite: every write transaction already holds the database's write lock)."""
    query = select(audit_heads.c.length, audit_heads.c.head).where(audit_heads.c.root_id == root_id)
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        conn.execute(
            pg_insert(audit_heads)
            .values(root_id=root_id, length=0, head=audit_chain.genesis(root_id))
            .on_conflict_do_nothing()
        )
        query = query.with_for_update()
    row = conn.execute(query).first()
    if row is None:
        conn.execute(
            insert(audit_heads).values(root_id=root_id, length=0, head=audit_chain.genesis(root_id))
        )
        return 0, audit_chain.genesis(root_id)
    return int(row.length), str(row.head)


def append(conn: Connection, entry: AuditEntry) -> int:
    length, head = _lock_head(conn, entry.root_id)
    seq = length + 1
    values: dict[str, Any] = {
        "root_id": entry.root_id,
        "org_id": entry.org_id,
        "at": entry.at,
        "actor": entry.actor,
        "action": entry.action,
        "target_type": entry.target_type,
        "target_id": entry.target_id,
        "before": audit_chain.json_safe(entry.before),
        "after": audit_chain.json_safe(entry.after),
        "source": entry.source,
    }
    sealed = audit_chain.link(head, seq, values)
    record_id = inserted_id(conn.execute(insert(audit_log).values(**values, seq=seq, hash=sealed)))
    conn.execute(
        update(audit_heads)
        .where(audit_heads.c.root_id == entry.root_id)
        .values(length=seq, head=sealed)
    )
    return record_id


@dataclass(frozen=True)
class AuditFilter:
    root_id: int
    org_ids: list[int] | None = None
    """Only records about these organizations (a sub-organization's view)."""
    action: str | None = None
    actor: str | None = None
    start: datetime | None = None
    end: datetime | None = None


def _filtered(query: Select[Any], where: AuditFilter) -> Select[Any]:
    query = query.where(audit_log.c.root_id == where.root_id)
    if where.org_ids is not None:
        query = query.where(audit_log.c.org_id.in_(where.org_ids))
    if where.action:
        # "api_key" matches every api_key.* action; "api_key.created" only that one.
        query = query.where(
            (audit_log.c.action == where.action)
            | audit_log.c.action.startswith(where.action + ".", autoescape=True)
        )
    if where.actor:
        query = query.where(audit_log.c.actor.contains(where.actor, autoescape=True))
    if where.start is not None:
        query = query.where(audit_log.c.at >= where.start)
    if where.end is not None:
        query = query.where(audit_log.c.at < where.end)
    return query


_COLUMNS = (
    audit_log.c.id,
    audit_log.c.at,
    audit_log.c.actor,
    audit_log.c.action,
    audit_log.c.target_type,
    audit_log.c.target_id,
    audit_log.c.before,
    audit_log.c.after,
    audit_log.c.source,
)


def count(conn: Connection, where: AuditFilter) -> int:
    query = _filtered(select(func.count()).select_from(audit_log), where)
    return int(conn.execute(query).scalar_one())


def page(conn: Connection, where: AuditFilter, offset: int, limit: int) -> list[dict[str, Any]]:
    """Newest first."""
    query = _filtered(select(*_COLUMNS), where).order_by(audit_log.c.seq.desc())
    return [dict(row._mapping) for row in conn.execute(query.offset(offset).limit(limit))]


def every(conn: Connection, where: AuditFilter) -> Iterator[dict[str, Any]]:
    """Every matching record, newest first, streamed."""
    query = _filtered(select(*_COLUMNS), where).order_by(audit_log.c.seq.desc())
    for row in conn.execution_options(stream_results=True, yield_per=1000).execute(query):
        yield dict(row._mapping)


def chains(conn: Connection) -> Iterator[tuple[int, int, str, Iterator[Mapping[str, Any]]]]:
    """For verification: each chain's root, stored length and head, and its records."""
    heads = {
        int(row.root_id): (int(row.length), str(row.head))
        for row in conn.execute(select(audit_heads))
    }
    roots = set(heads) | {
        int(r) for r in conn.execute(select(audit_log.c.root_id).distinct()).scalars()
    }
    for root_id in sorted(roots):
        length, head = heads.get(root_id, (0, audit_chain.genesis(root_id)))
        query = select(audit_log).where(audit_log.c.root_id == root_id).order_by(audit_log.c.seq)
        records = (
            dict(row._mapping)
            for row in conn.execution_options(stream_results=True, yield_per=1000).execute(query)
        )
        yield root_id, length, head, records
