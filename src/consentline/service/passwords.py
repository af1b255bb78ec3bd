"""Passwords: a user changes their own; a Setup user gives another a one-time reset link.

A reset link holds a random token; only its hash is stored. It works once, for 24 hours,
and a newer link (or a changed password) cancels older ones. Setting a password by a link
ends every session of the user; changing one's own ends the user's other sessions.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2.exceptions import InvalidHashError, VerificationError

from consentline.domain import passwords
from consentline.domain.errors import DomainError, InvalidInput, Unauthorized
from consentline.service import audit
from consentline.service.access import Principal
from consentline.service.orgs import password_hasher
from consentline.service.unit_of_work import UnitOfWork
from consentline.service.users import is_caller, managed_user
from consentline.store import (
    orgs as org_store,
    password_resets as reset_store,
    sessions as session_store,
    users as user_store,
)
from consentline.store.password_resets import ResetRow
from consentline.store.users import UserRow

RESET_LIFETIME = timedelta(hours=24)


class ResetLinkRefused(DomainError):
    code = "reset_link_refused"


@dataclass(frozen=True)
class ResetLink:
    token: str
    """Shown once, as part of the link; only its hash is kept."""
    user_id: int
    email: str
    expires_at: datetime


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _checked(password: str, user: UserRow) -> str:
    problem = passwords.weakness(password, email=user.email, name=user.name)
    if problem:
        raise InvalidInput(problem, code="weak_password")
    return password


def _verify(password_hash: str, password: str) -> bool:
    try:
        return password_hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def change_own_password(
    uow: UnitOfWork,
    user_id: int,
    current: str,
    new: str,
    now: datetime,
    *,
    current_session: int | None = None,
) -> int:
    """Change a signed-in user's password; the number of their other sessions ended."""
    conn = uow.connection
    user = user_store.get_user(conn, user_id)
    if user is None or not user.active:
        raise Unauthorized("Sign in again.", code="signed_out")
    if not _verify(user.password_hash, current):
        raise InvalidInput("The current password is not right.", code="wrong_password")
    if _verify(user.password_hash, new):
        raise InvalidInput(
            "The new password is the current one; choose another.", code="weak_password"
        )
    user_store.set_password_hash(conn, user.id, password_hasher.hash(_checked(new, user)))
    reset_store.cancel_open(conn, user.id, now)
    ended = session_store.delete_user_sessions(conn, user.id, keep=current_session)
    _record(uow, user, f"user:{user.id}:{user.email}", "user.password_changed", now)
    uow.commit()
    return ended


def _record(uow: UnitOfWork, user: UserRow, actor: audit.Actor, action: str, now: datetime) -> None:
    """Who and whose password: never the password, its hash or the link's token."""
    org = org_store.get_org(uow.connection, user.org_id) if user.org_id else None
    after = {"email": user.email}
    audit.record(uow, actor, action, "user", user.id, None, after, at=now, org=org)


def request_reset(
    uow: UnitOfWork, principal: Principal, org_id: int, user_id: int, now: datetime
) -> ResetLink:
    """A one-time link for another user of the organization to set a new password."""
    user = managed_user(uow, principal, org_id, user_id)
    if is_caller(principal, user_id):
        raise InvalidInput(
            "Change your own password on your account page.", code="own_password_reset"
        )
    if not user.active:
        raise InvalidInput(
            f"{user.email} is deactivated: reactivate the account first.", code="user_inactive"
        )
    token = secrets.token_urlsafe(32)
    conn = uow.connection
    reset_store.cancel_open(conn, user.id, now)
    expires_at = now + RESET_LIFETIME
    reset_store.insert_reset(conn, _hash(token), user.id, principal.name, now, expires_at)
    _record(uow, user, principal, "user.password_reset_requested", now)
    uow.commit()
    return ResetLink(token, user.id, user.email, expires_at)


def _open_link(uow: UnitOfWork, token: str, now: datetime) -> tuple[ResetRow, UserRow]:
    found = reset_store.find_reset(uow.connection, _hash(token)) if token else None
    user = user_store.get_user(uow.connection, found.user_id) if found else None
    if found is None or user is None:
        raise ResetLinkRefused("This password reset link is not valid.", code="reset_link_unknown")
    if found.used_at is not None:
        raise ResetLinkRefused(
            "This password reset link was already used (or replaced by a newer one). "
            "Ask your admin for a new link.",
            code="reset_link_used",
        )
    if found.expires_at <= now:
        raise ResetLinkRefused(
            "This password reset link has expired (links work for 24 hours). "
            "Ask your admin for a new link.",
            code="reset_link_expired",
        )
    if not user.active:
        raise ResetLinkRefused("This account is deactivated.", code="user_inactive")
    return found, user


def reset_target(uow: UnitOfWork, token: str, now: datetime) -> str:
    """The email a still-valid link resets (for the form); refused otherwise."""
    return _open_link(uow, token, now)[1].email


def reset_password(uow: UnitOfWork, token: str, new: str, now: datetime) -> str:
    """Set a new password through a link; the user's email. The link is then used up."""
    link, user = _open_link(uow, token, now)
    conn = uow.connection
    hashed = password_hasher.hash(_checked(new, user))
    if not reset_store.use(conn, link.id, now):
        raise ResetLinkRefused("This password reset link was already used.", code="reset_link_used")
    user_store.set_password_hash(conn, user.id, hashed)
    user_store.clear_failures(conn, user.email)
    session_store.delete_user_sessions(conn, user.id)
    _record(uow, user, f"user:{user.id}:{user.email}", "user.password_reset", now)
    uow.commit()
    return user.email
