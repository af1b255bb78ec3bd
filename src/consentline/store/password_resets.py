"""One-time password reset links: only the hash of each link's token is kept."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, insert, select, update

from consentline.store.access_tables import password_resets
from consentline.store.types import inserted_id


@dataclass(frozen=True)
class ResetRow:
    id: int
    user_id: int
    created_by: str
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None


def insert_reset(
    conn: Connection,
    token_hash: str,
    user_id: int,
    created_by: str,
    now: datetime,
    expires_at: datetime,
) -> int:
    return inserted_id(
        conn.execute(
            insert(password_resets).values(
                token_hash=token_hash,
                user_id=user_id,
                created_by=created_by,
                created_at=now,
                expires_at=expires_at,
            )
        )
    )


def find_reset(conn: Connection, token_hash: str) -> ResetRow | None:
    row = conn.execute(
        select(password_resets).where(password_resets.c.token_hash == token_hash)
    ).first()
    if row is None:
        return None
    return ResetRow(
        row.id, row.user_id, row.created_by, row.created_at, row.expires_at, row.used_at
    )


def use(conn: Connection, reset_id: int, now: datetime) -> bool:
    """Mark a link used; False when another request used it first."""
    result = conn.execute(
        update(password_resets)
        .where(password_resets.c.id == reset_id, password_resets.c.used_at.is_(None))
        .values(used_at=now)
    )
    return bool(result.rowcount)


def cancel_open(conn: Connection, user_id: int, now: datetime) -> None:
    """A new link, or a password changed otherwise, makes older links worthless."""
    conn.execute(
        update(password_resets)
        .where(password_resets.c.user_id == user_id, password_resets.c.used_at.is_(None))
        .values(used_at=now)
    )
