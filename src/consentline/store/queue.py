"""A leased work queue over any table shaped like the outbox.

The table has ``status`` ('pending', 'sent', 'dead'), ``attempts``, ``next_attempt_at``,
``last_error``, ``lease_owner`` and ``lease_until``. A worker leases due rows, works on them
outside any transaction, then settles each one guarded by its lease, so a worker that lost
its lease cannot overwrite another's result. The carriers' outbox (``store.outbox``) and the
Salesforce outbox (``salesforce.sync``) both use it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Column, Connection, Table, and_, case, or_, select, update


def free(table: Table, now: datetime) -> Any:
    """Rows no worker holds: never leased, or their lease ran out (the worker died)."""
    return or_(table.c.lease_until.is_(None), table.c.lease_until <= now)


def due(table: Table, now: datetime) -> Any:
    return and_(table.c.status == "pending", table.c.next_attempt_at <= now, free(table, now))


def claim_keys(
    conn: Connection,
    table: Table,
    key: Column[Any],
    now: datetime,
    limit: int,
    owner: str,
    lease: timedelta,
    order_by: Sequence[Any],
    where: Any = None,
) -> list[Any]:
    """Lease up to ``limit`` due rows to ``owner`` in one statement; returns their keys.

    ``UPDATE ... WHERE key IN (SELECT ... LIMIT n [FOR UPDATE SKIP LOCKED]) RETURNING key``:
    on PostgreSQL concurrent workers skip each other's rows; SQLite serializes writers.
    """
    chosen = select(key).where(due(table, now)).order_by(*order_by).limit(limit)
    if where is not None:
        chosen = chosen.where(where)
    if conn.dialect.name == "postgresql":
        chosen = chosen.with_for_update(skip_locked=True)
    return list(
        conn.execute(
            update(table)
            .where(key.in_(chosen), due(table, now))
            .values(lease_owner=owner, lease_until=now + lease, attempts=table.c.attempts + 1)
            .returning(key)
        ).scalars()
    )


def settle(
    conn: Connection, table: Table, key: Column[Any], value: Any, owner: str, **values: Any
) -> bool:
    """Record a leased row's outcome and give the lease back; False when it was lost."""
    query = (
        update(table)
        .where(key == value, table.c.lease_owner == owner)
        .values(lease_owner=None, lease_until=None, **values)
    )
    return bool(conn.execute(query).rowcount)


def retry_at(now: datetime, attempts: int, max_attempts: int, wait: timedelta) -> dict[str, Any]:
    """A failed try's columns: due again after ``wait``, or dead after ``max_attempts``."""
    if attempts >= max_attempts:
        return {"status": "dead", "next_attempt_at": now}
    return {"status": "pending", "next_attempt_at": now + wait}


def revive(conn: Connection, table: Table, now: datetime, where: Any) -> int:
    """Make dead letters due again, their tries counted from zero; returns how many."""
    at_once = case((table.c.next_attempt_at < now, table.c.next_attempt_at), else_=now)
    query = (
        update(table)
        .where(table.c.status == "dead", where)
        .values(status="pending", attempts=0, next_attempt_at=at_once)
    )
    return int(conn.execute(query).rowcount)
