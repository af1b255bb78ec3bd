"""Portal sessions: one row per browser session, found by the hash of its cookie."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, or_, select, update

from consentline.store.access_tables import portal_sessions
from consentline.store.types import inserted_id


@dataclass(frozen=True)
class SessionRow:
    id: int
    user_id: int | None
    data: dict[str, Any]
    created_at: datetime
    last_seen_at: datetime
    client: str | None
    user_agent: str | None


def _session(row: Any) -> SessionRow:
    return SessionRow(
        row.id,
        row.user_id,
        dict(row.data or {}),
        row.created_at,
        row.last_seen_at,
        row.client,
        row.user_agent,
    )


def find(conn: Connection, token_hash: str) -> SessionRow | None:
    row = conn.execute(
        select(portal_sessions).where(portal_sessions.c.token_hash == token_hash)
    ).first()
    return _session(row) if row else None


def insert_session(
    conn: Connection,
    token_hash: str,
    user_id: int | None,
    data: dict[str, Any],
    now: datetime,
    *,
    client: str | None,
    user_agent: str | None,
) -> int:
    return inserted_id(
        conn.execute(
            insert(portal_sessions).values(
                token_hash=token_hash,
                user_id=user_id,
                data=data,
                created_at=now,
                last_seen_at=now,
                client=client,
                user_agent=user_agent,
            )
        )
    )


def save(
    conn: Connection, session_id: int, user_id: int | None, data: dict[str, Any], now: datetime
) -> None:
    conn.execute(
        update(portal_sessions)
        .where(portal_sessions.c.id == session_id)
        .values(user_id=user_id, data=data, last_seen_at=now)
    )


def touch(conn: Connection, session_id: int, now: datetime) -> None:
    conn.execute(
        update(portal_sessions).where(portal_sessions.c.id == session_id).values(last_seen_at=now)
    )


def delete_session(conn: Connection, session_id: int) -> None:
    conn.execute(delete(portal_sessions).where(portal_sessions.c.id == session_id))


def delete_user_sessions(conn: Connection, user_id: int, *, keep: int | None = None) -> int:
    """End every session of a user (but ``keep``); the number ended."""
    query = delete(portal_sessions).where(portal_sessions.c.user_id == user_id)
    if keep is not None:
        query = query.where(portal_sessions.c.id != keep)
    return int(conn.execute(query).rowcount)


def user_sessions(conn: Connection, user_id: int) -> list[SessionRow]:
    query = (
        select(portal_sessions)
        .where(portal_sessions.c.user_id == user_id)
        .order_by(portal_sessions.c.last_seen_at.desc(), portal_sessions.c.id.desc())
    )
    return [_session(row) for row in conn.execute(query)]


def delete_stale(conn: Connection, *, seen_before: datetime, created_before: datetime) -> int:
    """Drop sessions past their idle or absolute timeout."""
    stale = or_(
        portal_sessions.c.last_seen_at < seen_before,
        portal_sessions.c.created_at < created_before,
    )
    return int(conn.execute(delete(portal_sessions).where(stale)).rowcount)
