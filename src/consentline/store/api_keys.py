"""API keys of an organization: listing, revoking, expiry, and when each was last used."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, insert, or_, select, update

from consentline.store.tables import api_keys
from consentline.store.types import inserted_id


@dataclass(frozen=True)
class ApiKeyRow:
    id: int
    org_id: int | None
    name: str
    prefix: str | None
    privileges: tuple[str, ...]
    is_operator: bool
    created_at: datetime
    created_by: str | None
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None


def _key(row: Any) -> ApiKeyRow:
    return ApiKeyRow(
        row.id,
        row.org_id,
        row.name,
        row.prefix,
        tuple(row.privileges),
        bool(row.is_operator),
        row.created_at,
        row.created_by,
        row.last_used_at,
        row.expires_at,
        row.revoked_at,
    )


def insert_key(
    conn: Connection,
    *,
    org_id: int | None,
    name: str,
    key_hash: str,
    prefix: str,
    privileges: list[str],
    is_operator: bool,
    created_by: str,
    now: datetime,
    expires_at: datetime | None,
) -> int:
    return inserted_id(
        conn.execute(
            insert(api_keys).values(
                org_id=org_id,
                name=name,
                key_hash=key_hash,
                prefix=prefix,
                privileges=privileges,
                is_operator=is_operator,
                created_by=created_by,
                created_at=now,
                expires_at=expires_at,
            )
        )
    )


def get_key(conn: Connection, key_id: int) -> ApiKeyRow | None:
    row = conn.execute(select(api_keys).where(api_keys.c.id == key_id)).first()
    return _key(row) if row else None


def org_keys(conn: Connection, org_id: int) -> list[ApiKeyRow]:
    query = select(api_keys).where(api_keys.c.org_id == org_id).order_by(api_keys.c.id)
    return [_key(row) for row in conn.execute(query)]


def revoke(conn: Connection, key_id: int, now: datetime) -> None:
    conn.execute(
        update(api_keys)
        .where(api_keys.c.id == key_id, api_keys.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def expire_by(conn: Connection, key_id: int, moment: datetime) -> None:
    """Let a key work until ``moment`` at the latest (an earlier expiry stays)."""
    conn.execute(
        update(api_keys)
        .where(
            api_keys.c.id == key_id,
            or_(api_keys.c.expires_at.is_(None), api_keys.c.expires_at > moment),
        )
        .values(expires_at=moment)
    )


_MARK_USED = (  # at most one write a minute per key; ``seen_before`` is now minus a minute
    update(api_keys)
    .where(
        api_keys.c.id == bindparam("key_id"),
        or_(
            api_keys.c.last_used_at.is_(None),
            api_keys.c.last_used_at < bindparam("seen_before"),
        ),
    )
    .values(last_used_at=bindparam("now"))
)


def mark_used(conn: Connection, key_id: int, now: datetime, seen_before: datetime) -> None:
    conn.execute(_MARK_USED, {"key_id": key_id, "now": now, "seen_before": seen_before})
