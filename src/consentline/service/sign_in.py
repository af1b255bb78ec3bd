"""Portal sign-in: a password checked against its argon2id hash, with failures throttled.

Failed attempts are stored in the database (every worker process sees them), each with the
email tried and the client address; the pure rules of ``domain.sign_in_throttle`` say when
the next attempt may come, for the account and for the address.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from argon2.exceptions import InvalidHashError, VerificationError

from consentline.domain import sign_in_throttle
from consentline.domain.errors import DomainError, Unauthorized
from consentline.service import audit
from consentline.service.access import Principal
from consentline.service.orgs import password_hasher
from consentline.service.unit_of_work import UnitOfWork
from consentline.store import orgs as org_store, users as user_store
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


@dataclass(frozen=True)
class SignedIn:
    user_id: int
    email: str


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
    ip = sign_in_throttle.address_key(client_host) if client_host else None
    conn = uow.connection
    since = now - sign_in_throttle.WINDOW
    user_store.lock_sign_in(conn, email, ip)
    account_failures = user_store.failures_since(conn, email, since)
    address_failures = user_store.failures_from_since(conn, ip, since) if ip else []
    verdict = sign_in_throttle.check_both(account_failures, address_failures, now)
    user = user_store.find_by_email(conn, email) if email else None
    if not verdict.allowed:
        _audit(uow, "sign_in.failed", email, user, now, reason="too_many_attempts")
        uow.commit()
        raise TooManyAttempts(verdict)
    # Counted as failed before the password is checked, under the lock: attempts arriving
    # together each see those before them, however long checking takes. A right password
    # clears the count again.
    user_store.record_failure(conn, email, ip, now)
    uow.commit()
    if not _verify(user.password_hash if user else None, password) or user is None:
        user_store.forget_failures_before(uow.connection, since, email, ip)
        _audit(uow, "sign_in.failed", email, user, now, reason="wrong_credentials")
        uow.commit()
        raise Unauthorized(WRONG_CREDENTIALS, code="wrong_credentials")
    conn = uow.connection
    user_store.clear_failures(conn, email)
    if not user.active:
        uow.commit()
        raise Unauthorized(
            "This account is deactivated; ask an admin of your organization.",
            code="user_inactive",
        )
    if password_hasher.check_needs_rehash(user.password_hash):
        user_store.set_password_hash(conn, user.id, password_hasher.hash(password))
    _audit(uow, "sign_in.succeeded", email, user, now)
    uow.commit()
    return SignedIn(user.id, user.email)


def _audit(
    uow: UnitOfWork,
    action: str,
    email: str,
    user: UserRow | None,
    now: datetime,
    reason: str | None = None,
) -> None:
    """Into the user's organization's log; an unknown email into the log of no organization.
    The email tried is kept (at most 320 characters, as the form allows), never the password."""
    org = org_store.get_org(uow.connection, user.org_id) if user and user.org_id else None
    after: dict[str, str] = {"email": email[:320]}
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
