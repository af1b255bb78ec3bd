"""TOTP, the second factor of password sign-in: enrolment, checking codes, recovery codes.

A secret is stored when a user starts enrolling and is enabled only once the user types a
code from it. Each accepted code's time step is stored and no code of that step or an
earlier one is accepted again. Recovery codes are random, shown once, stored as SHA-256
hashes (they are 60 random bits, so a slow hash would add nothing) and spent on use. Every
code tried goes through the sign-in throttle. Secrets and codes are never logged.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

import pyotp

from consentline.domain.errors import Conflict, InvalidInput, Unauthorized
from consentline.service import audit
from consentline.service.access import Principal, Privilege, visible_org
from consentline.service.sign_in import audit_sign_in, check_attempts, count_failure
from consentline.service.unit_of_work import UnitOfWork
from consentline.store import orgs as org_store, totp as totp_store, users as user_store
from consentline.store.users import UserRow

ISSUER = "ConsentLine"
RECOVERY_CODES = 10
WRONG_CODE = "That code is not right. Type the 6 digits your authenticator app shows now."
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read off paper


@dataclass(frozen=True)
class Enrolment:
    secret: str
    """The secret as text, for typing into an app by hand."""
    uri: str
    """The ``otpauth://`` URI an authenticator app reads from a QR code."""


@dataclass(frozen=True)
class TotpStatus:
    enabled: bool
    recovery_codes_left: int
    required: bool


@dataclass(frozen=True)
class Verified:
    used_recovery_code: bool
    recovery_codes_left: int


def _audit(uow: UnitOfWork, user: UserRow, action: str, now: datetime) -> None:
    """A change to a user's own second factor: never its secret or codes."""
    org = org_store.get_org(uow.connection, user.org_id) if user.org_id else None
    actor = f"user:{user.id}:{user.email}"
    audit.record(uow, actor, action, "user", user.id, None, {"email": user.email}, at=now, org=org)


def _user(uow: UnitOfWork, user_id: int) -> UserRow:
    user = user_store.get_user(uow.connection, user_id)
    if user is None:
        raise Unauthorized("Sign in again.", code="signed_out")
    return user


def status(uow: UnitOfWork, user_id: int) -> TotpStatus:
    conn = uow.connection
    user = _user(uow, user_id)
    factor = totp_store.get_factor(conn, user_id)
    enabled = factor is not None and factor.enabled_at is not None
    left = totp_store.unused_recovery_codes(conn, user_id) if enabled else 0
    return TotpStatus(enabled, left, _required(uow, user))


def _required(uow: UnitOfWork, user: UserRow) -> bool:
    org = org_store.get_org(uow.connection, user.org_id) if user.org_id is not None else None
    return org is not None and totp_store.requires_totp(uow.connection, org.root_id)


def start_enrolment(uow: UnitOfWork, user_id: int, now: datetime) -> Enrolment:
    """A new secret for the user to add to an app; enabled by ``confirm_enrolment``."""
    user = _user(uow, user_id)
    factor = totp_store.get_factor(uow.connection, user_id)
    if factor is not None and factor.enabled_at is not None:
        raise Conflict(
            "A second factor is already set up; turn it off first to set up another.",
            code="totp_already_enabled",
        )
    secret = pyotp.random_base32()
    totp_store.put_pending_factor(uow.connection, user_id, secret, now)
    uow.commit()
    return _enrolment(user, secret)


def pending_enrolment(uow: UnitOfWork, user_id: int) -> Enrolment | None:
    """The secret being enrolled, to show again (a reload must not change it)."""
    user = _user(uow, user_id)
    factor = totp_store.get_factor(uow.connection, user_id)
    if factor is None or factor.enabled_at is not None:
        return None
    return _enrolment(user, factor.secret)


def _enrolment(user: UserRow, secret: str) -> Enrolment:
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)
    return Enrolment(secret, uri)


def confirm_enrolment(
    uow: UnitOfWork, user_id: int, code: str, now: datetime, *, client_host: str | None
) -> list[str]:
    """Enable the pending secret if ``code`` comes from it; the new recovery codes."""
    user = _user(uow, user_id)
    ip = check_attempts(uow, user.email, client_host, now)
    factor = totp_store.get_factor(uow.connection, user_id)
    if factor is None or factor.enabled_at is not None:
        raise InvalidInput("Start setting up the second factor again.", code="no_enrolment")
    step = _matching_step(factor.secret, code, now, after=None)
    if step is None:
        count_failure(uow, user.email, ip, now)
        raise Unauthorized(WRONG_CODE, code="wrong_code")
    totp_store.enable_factor(uow.connection, user_id, step, now)
    codes = _new_recovery_codes(uow, user_id)
    user_store.clear_failures(uow.connection, user.email)
    _audit(uow, user, "totp.enabled", now)
    uow.commit()
    return codes


def verify(
    uow: UnitOfWork,
    user_id: int,
    code: str,
    now: datetime,
    *,
    client_host: str | None,
    signing_in: bool = True,
) -> Verified:
    """Check a TOTP code or a recovery code of a user whose password was right."""
    user = _user(uow, user_id)
    ip = check_attempts(uow, user.email, client_host, now)
    conn = uow.connection
    factor = totp_store.get_factor(conn, user_id)
    if factor is None or factor.enabled_at is None:
        raise InvalidInput("There is no second factor to check.", code="no_totp")
    typed = code.strip().replace(" ", "")
    used_recovery = False
    step = _matching_step(factor.secret, typed, now, after=factor.last_step)
    if step is not None:
        accepted = totp_store.use_step(conn, user_id, step)
    else:
        accepted = used_recovery = totp_store.use_recovery_code(
            conn, user_id, _hash_recovery_code(typed), now
        )
    if not accepted:
        audit_sign_in(uow, "sign_in.failed", user.email, user, now, reason="wrong_code")
        count_failure(uow, user.email, ip, now)
        raise Unauthorized(WRONG_CODE, code="wrong_code")
    user_store.clear_failures(conn, user.email)
    if signing_in:
        method = "recovery_code" if used_recovery else "totp"
        audit_sign_in(uow, "sign_in.succeeded", user.email, user, now, method=method)
    left = totp_store.unused_recovery_codes(conn, user_id)
    uow.commit()
    return Verified(used_recovery, left)


def disable(
    uow: UnitOfWork, user_id: int, code: str, now: datetime, *, client_host: str | None
) -> None:
    """Turn the second factor off, proven by a current code or a recovery code."""
    user = _user(uow, user_id)
    if _required(uow, user):
        raise Conflict(
            "Your organization requires a second factor, so it cannot be turned off.",
            code="totp_required",
        )
    verify(uow, user_id, code, now, client_host=client_host, signing_in=False)
    totp_store.delete_factor(uow.connection, user_id)
    _audit(uow, user, "totp.disabled", now)
    uow.commit()


def new_recovery_codes(
    uow: UnitOfWork, user_id: int, code: str, now: datetime, *, client_host: str | None
) -> list[str]:
    """Replace every recovery code (the old ones stop working), proven by a current code."""
    user = _user(uow, user_id)
    verify(uow, user_id, code, now, client_host=client_host, signing_in=False)
    codes = _new_recovery_codes(uow, user_id)
    _audit(uow, user, "recovery_codes.regenerated", now)
    uow.commit()
    return codes


def set_required(
    uow: UnitOfWork, principal: Principal, org_id: int, required: bool, now: datetime
) -> bool:
    """Require (or not) a second factor for password sign-in in a main organization."""
    org = visible_org(uow.connection, principal, org_id)
    principal.require(Privilege.SETUP)
    if org.parent_id is not None:
        raise InvalidInput(
            "Sign-in rules are set on the main organization.", code="not_main_organization"
        )
    before = totp_store.requires_totp(uow.connection, org.id)
    totp_store.set_requires_totp(uow.connection, org.id, required, now)
    if before != required:
        audit.record(
            uow,
            principal,
            "sign_in_policy.changed",
            "org",
            org.id,
            {"require_totp": before},
            {"require_totp": required},
            at=now,
            org=org,
        )
    uow.commit()
    return required


def is_required(uow: UnitOfWork, principal: Principal, org_id: int) -> bool:
    org = visible_org(uow.connection, principal, org_id)
    principal.require(Privilege.SETUP)
    return totp_store.requires_totp(uow.connection, org.root_id)


def _matching_step(secret: str, code: str, now: datetime, *, after: int | None) -> int | None:
    """The time step whose code this is (now, or one step either side for clock drift)."""
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in (current - 1, current, current + 1):
        if after is not None and step <= after:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _new_recovery_codes(uow: UnitOfWork, user_id: int) -> list[str]:
    codes = [
        "-".join("".join(secrets.choice(_ALPHABET) for _ in range(4)) for _ in range(3))
        for _ in range(RECOVERY_CODES)
    ]
    totp_store.replace_recovery_codes(
        uow.connection, user_id, [_hash_recovery_code(each) for each in codes]
    )
    return codes


def _hash_recovery_code(code: str) -> str:
    normalized = code.strip().lower().replace(" ", "").replace("-", "")
    return hashlib.sha256(normalized.encode()).hexdigest()
