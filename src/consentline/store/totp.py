"""TOTP factors, recovery codes, and whether an organization requires a second factor."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, func, insert, select, update

from consentline.store.sign_in_tables import recovery_codes, sign_in_policies, totp_factors


@dataclass(frozen=True)
class TotpRow:
    user_id: int
    secret: str
    enabled_at: datetime | None
    last_step: int | None


def get_factor(conn: Connection, user_id: int) -> TotpRow | None:
    row = conn.execute(select(totp_factors).where(totp_factors.c.user_id == user_id)).first()
    if row is None:
        return None
    return TotpRow(row.user_id, row.secret, row.enabled_at, row.last_step)


def put_pending_factor(conn: Connection, user_id: int, secret: str, now: datetime) -> None:
    """A new secret the user has not confirmed yet (replacing any unconfirmed one)."""
    conn.execute(delete(totp_factors).where(totp_factors.c.user_id == user_id))
    conn.execute(insert(totp_factors).values(user_id=user_id, secret=secret, created_at=now))


def enable_factor(conn: Connection, user_id: int, step: int, now: datetime) -> None:
    conn.execute(
        update(totp_factors)
        .where(totp_factors.c.user_id == user_id)
        .values(enabled_at=now, last_step=step)
    )


def use_step(conn: Connection, user_id: int, step: int) -> bool:
    """Record that a code of this time step was used; False if it (or a later one) was."""
    used = conn.execute(
        update(totp_factors)
        .where(
            totp_factors.c.user_id == user_id,
            (totp_factors.c.last_step.is_(None)) | (totp_factors.c.last_step < step),
        )
        .values(last_step=step)
    )
    return used.rowcount == 1


def delete_factor(conn: Connection, user_id: int) -> None:
    conn.execute(delete(recovery_codes).where(recovery_codes.c.user_id == user_id))
    conn.execute(delete(totp_factors).where(totp_factors.c.user_id == user_id))


def replace_recovery_codes(conn: Connection, user_id: int, hashes: Sequence[str]) -> None:
    conn.execute(delete(recovery_codes).where(recovery_codes.c.user_id == user_id))
    conn.execute(
        insert(recovery_codes), [{"user_id": user_id, "code_hash": each} for each in hashes]
    )


def use_recovery_code(conn: Connection, user_id: int, code_hash: str, now: datetime) -> bool:
    """Spend an unused recovery code; False if there is no such unused code."""
    used = conn.execute(
        update(recovery_codes)
        .where(
            recovery_codes.c.user_id == user_id,
            recovery_codes.c.code_hash == code_hash,
            recovery_codes.c.used_at.is_(None),
        )
        .values(used_at=now)
    )
    return used.rowcount == 1


def unused_recovery_codes(conn: Connection, user_id: int) -> int:
    query = select(func.count()).where(
        recovery_codes.c.user_id == user_id, recovery_codes.c.used_at.is_(None)
    )
    return int(conn.execute(query).scalar_one())


def requires_totp(conn: Connection, root_id: int) -> bool:
    query = select(sign_in_policies.c.require_totp).where(sign_in_policies.c.root_id == root_id)
    return bool(conn.execute(query).scalar())


def set_requires_totp(conn: Connection, root_id: int, required: bool, now: datetime) -> None:
    conn.execute(delete(sign_in_policies).where(sign_in_policies.c.root_id == root_id))
    conn.execute(
        insert(sign_in_policies).values(root_id=root_id, require_totp=required, updated_at=now)
    )
