"""Portal users: looking them up, listing them, their privileges; failed sign-ins."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, func, insert, or_, select, text, update

from consentline.store.portal_tables import login_failures
from consentline.store.tables import users


@dataclass(frozen=True)
class UserRow:
    id: int
    org_id: int | None
    email: str
    name: str
    password_hash: str
    privileges: tuple[str, ...]
    is_operator: bool
    active: bool = True


def _user(row: object) -> UserRow:
    return UserRow(
        row.id,  # type: ignore[attr-defined]
        row.org_id,  # type: ignore[attr-defined]
        row.email,  # type: ignore[attr-defined]
        row.name,  # type: ignore[attr-defined]
        row.password_hash,  # type: ignore[attr-defined]
        tuple(row.privileges),  # type: ignore[attr-defined]
        bool(row.is_operator),  # type: ignore[attr-defined]
        bool(row.active),  # type: ignore[attr-defined]
    )


def find_by_email(conn: Connection, email: str) -> UserRow | None:
    row = conn.execute(select(users).where(users.c.email == email)).first()
    return _user(row) if row else None


def get_user(conn: Connection, user_id: int) -> UserRow | None:
    row = conn.execute(select(users).where(users.c.id == user_id)).first()
    return _user(row) if row else None


def list_users(conn: Connection, org_ids: list[int]) -> list[UserRow]:
    query = select(users).where(users.c.org_id.in_(org_ids)).order_by(users.c.email)
    return [_user(row) for row in conn.execute(query)]


def set_privileges(conn: Connection, user_id: int, privileges: list[str]) -> None:
    conn.execute(update(users).where(users.c.id == user_id).values(privileges=privileges))


def set_active(conn: Connection, user_id: int, active: bool) -> None:
    conn.execute(update(users).where(users.c.id == user_id).values(active=active))


def set_name(conn: Connection, user_id: int, name: str) -> None:
    conn.execute(update(users).where(users.c.id == user_id).values(name=name))


def set_password_hash(conn: Connection, user_id: int, password_hash: str) -> None:
    conn.execute(update(users).where(users.c.id == user_id).values(password_hash=password_hash))


def failures_since(conn: Connection, email: str, since: datetime) -> list[datetime]:
    query = select(login_failures.c.attempted_at).where(
        login_failures.c.email == email, login_failures.c.attempted_at >= since
    )
    return [moment for (moment,) in conn.execute(query)]


def failures_from_since(conn: Connection, ip: str, since: datetime) -> list[datetime]:
    """Failed sign-ins from one client address, whatever the email tried."""
    query = select(login_failures.c.attempted_at).where(
        login_failures.c.ip == ip, login_failures.c.attempted_at >= since
    )
    return [moment for (moment,) in conn.execute(query)]


def lock_sign_in(conn: Connection, email: str, ip: str | None) -> None:
    """Hold the sign-in counts of this email and this address until the transaction ends,
    so that attempts arriving together are counted one after another. (SQLite: every
    write transaction already holds the database's write lock.)"""
    if conn.dialect.name != "postgresql":
        return
    keys = sorted({f"sign-in email {email}", *([f"sign-in ip {ip}"] if ip else [])})
    for key in keys:  # always in the same order: two attempts never wait for each other
        conn.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": key})


def record_failure(conn: Connection, email: str, ip: str | None, now: datetime) -> None:
    conn.execute(insert(login_failures).values(email=email, ip=ip, attempted_at=now))


def forget_attempt(conn: Connection, email: str, ip: str | None, at: datetime) -> None:
    """Take back the one failure counted for an attempt at ``at`` that proved right."""
    same = [login_failures.c.email == email, login_failures.c.attempted_at == at]
    same.append(login_failures.c.ip.is_(None) if ip is None else login_failures.c.ip == ip)
    first = select(func.min(login_failures.c.id)).where(*same).scalar_subquery()
    conn.execute(delete(login_failures).where(login_failures.c.id == first))


def clear_failures(conn: Connection, email: str) -> None:
    """Forget an email's failures (it signed in); other emails' failures from the same
    address still count against that address."""
    conn.execute(delete(login_failures).where(login_failures.c.email == email))


def forget_failures_before(conn: Connection, before: datetime, email: str, ip: str | None) -> None:
    """Drop the failures of this email and this address too old to count any more."""
    tried = login_failures.c.email == email
    if ip is not None:
        tried = or_(tried, login_failures.c.ip == ip)
    conn.execute(delete(login_failures).where(tried, login_failures.c.attempted_at < before))
