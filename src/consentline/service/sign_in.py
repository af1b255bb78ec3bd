"""Portal sign-in: a password checked against its argon2id hash, with failures throttled.

Failed attempts are stored in the database (every worker process sees them), each with the
email tried and the client address; the pure rules of ``domain.sign_in_throttle`` say when
the next attempt may come, for the account and for the address.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection

from consentline.domain import sign_in_throttle
from consentline.domain.errors import DomainError, Unauthorized
from consentline.service import audit
from consentline.service.access import Principal
from consentline.service.orgs import password_hasher
from consentline.service.unit_of_work import UnitOfWork
from consentline.store import orgs as org_store, totp as totp_store, users as user_store
from consentline.store.users import UserRow

WRONG_CREDENTIALS = "The email or password is not right."
# Verified when the email is unknown, so that answer takes as long as a wrong password.
_DUMMY_HASH = password_hasher.hash("not a password of anyone")


_LOCKED: dict[sign_in_throttle.Scope, str] = {
    "account": "Too many failed sign-ins: this account is",
    # "Network address", not "address": the form's other field is an email address.
    "address": "Too many failed sign-ins from your network address: signing in from it is",
}


class TooManyAttempts(DomainError):
    code = "too_many_attempts"

    def __init__(self, verdict: sign_in_throttle.Verdict) -> None:
        seconds = verdict.retry_after_seconds
        if verdict.locked:
            minutes = -(-seconds // 60)
            message = (
                f"{_LOCKED[verdict.scope]} locked for "
                f"{minutes} minute{'s' if minutes != 1 else ''}."
            )
        else:
            message = (
                f"Too many failed sign-ins: wait {seconds} second{'s' if seconds != 1 else ''} "
                "and try again."
            )
        super().__init__(message)
        self.retry_after = seconds


SecondFactor = Literal["none", "verify", "enrol"]
"""After the password: signed in, asked for a TOTP code, or sent to set TOTP up first."""


@dataclass(frozen=True)
class SignedIn:
    user_id: int
    email: str
    second_factor: SecondFactor = "none"


def principal_of(user: UserRow) -> Principal:
    """The caller a portal user is, for the service functions."""
    return Principal(
        name=f"user:{user.id}:{user.email}",
        org_id=user.org_id,
        privileges=frozenset(user.privileges),
        is_operator=user.is_operator,
    )


def sign_in(
    uow: UnitOfWork, email: str, password: str, now: datetime, *, client_host: str | None
) -> SignedIn:
    """Check a password; raise ``TooManyAttempts`` or ``Unauthorized`` (and count it).

    ``client_host`` is the address the attempt comes from (None when the server does not
    know it: then only the account's failures are counted).
    """
    email = email.strip().lower()
    ip = check_attempts(uow, email, client_host, now)
    conn = uow.connection
    user = user_store.find_by_email(conn, email) if email else None
    if not _verify(user.password_hash if user else None, password) or user is None:
        audit_sign_in(uow, "sign_in.failed", email, user, now, reason="wrong_credentials")
        count_failure(uow, email, ip, now)
        raise Unauthorized(WRONG_CREDENTIALS, code="wrong_credentials")
    if not user.active:
        audit_sign_in(uow, "sign_in.failed", email, user, now, reason="user_inactive")
        uow.commit()
        raise Unauthorized(
            "This account is deactivated; ask an admin of your organization.",
            code="user_inactive",
        )
    second = second_factor_of(conn, user)
    if second == "none":
        user_store.clear_failures(conn, email)
        audit_sign_in(uow, "sign_in.succeeded", email, user, now)
    else:
        # With a second factor to come, earlier failures are forgotten only once it is
        # given (the password alone must not reset the count of guessed codes); only this
        # attempt's own count is taken back.
        user_store.forget_attempt(conn, email, ip, now)
    if password_hasher.check_needs_rehash(user.password_hash):
        user_store.set_password_hash(conn, user.id, password_hasher.hash(password))
    uow.commit()
    return SignedIn(user.id, user.email, second)


def second_factor_of(conn: Connection, user: UserRow) -> SecondFactor:
    """What a user who gave the right password must do next."""
    factor = totp_store.get_factor(conn, user.id)
    if factor is not None and factor.enabled_at is not None:
        return "verify"
    org = org_store.get_org(conn, user.org_id) if user.org_id is not None else None
    if org is not None and totp_store.requires_totp(conn, org.root_id):
        return "enrol"
    return "none"


def check_attempts(
    uow: UnitOfWork, email: str, client_host: str | None, now: datetime
) -> str | None:
    """Raise ``TooManyAttempts`` if this account or address must wait; the address key.

    Every code that proves who someone is (password, TOTP code, recovery code) goes
    through this throttle, so each guess counts against the same limits.
    """
    ip = sign_in_throttle.address_key(client_host) if client_host else None
    conn = uow.connection
    since = now - sign_in_throttle.WINDOW
    user_store.lock_sign_in(conn, email, ip)
    account_failures = user_store.failures_since(conn, email, since)
    address_failures = user_store.failures_from_since(conn, ip, since) if ip else []
    verdict = sign_in_throttle.check_both(account_failures, address_failures, now)
    if not verdict.allowed:
        user = user_store.find_by_email(conn, email) if email else None
        audit_sign_in(uow, "sign_in.failed", email, user, now, reason="too_many_attempts")
        uow.commit()
        raise TooManyAttempts(verdict)
    # Counted as failed before the secret is checked, under the lock: attempts arriving
    # together each see those before them, however long checking takes. A right answer
    # clears the count again (``clear_failures``).
    user_store.record_failure(conn, email, ip, now)
    uow.commit()
    return ip


def count_failure(uow: UnitOfWork, email: str, ip: str | None, now: datetime) -> None:
    """A refused attempt (``check_attempts`` counted it already): forget counts older than
    the window, and commit (the caller raises its refusal next)."""
    user_store.forget_failures_before(uow.connection, now - sign_in_throttle.WINDOW, email, ip)
    uow.commit()


def audit_sign_in(
    uow: UnitOfWork,
    action: str,
    email: str,
    user: UserRow | None,
    now: datetime,
    reason: str | None = None,
    method: str = "password",
) -> None:
    """Into the user's organization's log; an unknown email into the log of no organization.
    The email tried is kept (at most 320 characters, as the form allows), never the password."""
    org = org_store.get_org(uow.connection, user.org_id) if user and user.org_id else None
    after: dict[str, str] = {"email": email[:320], "method": method}
    if reason:
        after["reason"] = reason
    actor = f"user:{user.id}:{user.email}" if user else f"email:{email[:320]}"
    target = user.id if user else None
    audit.record(uow, actor, action, "user", target, None, after, at=now, org=org)


def _verify(password_hash: str | None, password: str) -> bool:
    try:
        return password_hasher.verify(password_hash or _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return False


def session_principal(uow: UnitOfWork, user_id: int) -> Principal | None:
    """The principal of a signed-in user, read afresh (privileges may have changed)."""
    user = user_store.get_user(uow.connection, user_id)
    return principal_of(user) if user and user.active else None
