"""Server-side portal sessions: what a cookie's opaque id stands for, and when it ends.

The browser holds a random id; the database holds its hash, the signed-in user and the
session's small data (CSRF token, the picked organization, the next page's message). A
session ends on sign-out, after ``idle`` without a request or ``absolute`` after it began,
and when the user's password changes, the user is deactivated or loses a privilege.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from consentline.domain.errors import NotFound
from consentline.service.unit_of_work import UnitOfWork
from consentline.store import sessions as session_store, users as user_store
from consentline.store.sessions import SessionRow
from consentline.store.users import UserRow

# ``last_seen_at`` is written at most this often by requests that change nothing else, so
# the idle timeout is this precise.
SEEN_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class Timeouts:
    idle: timedelta
    absolute: timedelta

    def expired(self, row: SessionRow, now: datetime) -> bool:
        return now - row.last_seen_at > self.idle or now - row.created_at > self.absolute


@dataclass(frozen=True)
class Loaded:
    id: int
    user_id: int | None
    data: dict[str, Any]
    last_seen_at: datetime


@dataclass(frozen=True)
class Saved:
    token: str | None
    """A new cookie value to send, when a new session row was made."""
    ended: bool
    """The session ended and no new one was needed: the cookie should be removed."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def load(engine: Engine, token: str, now: datetime, timeouts: Timeouts) -> Loaded | None:
    """The live session a cookie names; None when unknown, expired or its user is gone."""
    with UnitOfWork(engine, read_only=True) as uow:
        row = session_store.find(uow.connection, hash_token(token))
        if row is None:
            return None
        user = user_store.get_user(uow.connection, row.user_id) if row.user_id else None
    if timeouts.expired(row, now) or (row.user_id is not None and not (user and user.active)):
        with UnitOfWork(engine) as uow:
            session_store.delete_session(uow.connection, row.id)
            uow.commit()
        return None
    return Loaded(row.id, row.user_id, row.data, row.last_seen_at)


def save(
    engine: Engine,
    *,
    loaded: Loaded | None,
    user_id: int | None,
    data: dict[str, Any],
    changed: bool,
    renew: bool,
    now: datetime,
    timeouts: Timeouts,
    client: str | None,
    user_agent: str | None,
) -> Saved:
    """Write what a request did to its session. ``renew`` ends the old row and starts a
    new one with a new id (on sign-in and sign-out), so an old cookie is worth nothing."""
    empty = user_id is None and not data
    if loaded is not None and not renew:
        if empty:
            _end(engine, loaded.id)
            return Saved(None, ended=True)
        if changed or now - loaded.last_seen_at >= SEEN_RESOLUTION:
            with UnitOfWork(engine) as uow:
                if changed:
                    session_store.save(uow.connection, loaded.id, user_id, data, now)
                else:
                    session_store.touch(uow.connection, loaded.id, now)
                uow.commit()
        return Saved(None, ended=False)
    if loaded is not None:
        _end(engine, loaded.id)
    if empty:
        return Saved(None, ended=loaded is not None)
    token = secrets.token_urlsafe(32)
    with UnitOfWork(engine) as uow:
        conn = uow.connection
        session_store.delete_stale(
            conn, seen_before=now - timeouts.idle, created_before=now - timeouts.absolute
        )
        session_store.insert_session(
            conn, hash_token(token), user_id, data, now, client=client, user_agent=user_agent
        )
        uow.commit()
    return Saved(token, ended=False)


def _end(engine: Engine, session_id: int) -> None:
    with UnitOfWork(engine) as uow:
        session_store.delete_session(uow.connection, session_id)
        uow.commit()


# --- a user's own sessions (the account page) -------------------------------------------


def signed_in_sessions(uow: UnitOfWork, user: UserRow) -> list[SessionRow]:
    return session_store.user_sessions(uow.connection, user.id)


def end_session(uow: UnitOfWork, user: UserRow, session_id: int) -> None:
    """Sign one of the user's own sessions out (``session.revoked``)."""
    mine = {row.id for row in session_store.user_sessions(uow.connection, user.id)}
    if session_id not in mine:
        raise NotFound("No such session of yours.", code="unknown_session")
    session_store.delete_session(uow.connection, session_id)
    uow.commit()


def end_all_sessions(uow: UnitOfWork, user: UserRow) -> int:
    """Sign out everywhere, this session too (``session.revoked_all``)."""
    ended = session_store.delete_user_sessions(uow.connection, user.id)
    uow.commit()
    return ended
