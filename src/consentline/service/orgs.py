"""Organizations, entitlements, API keys, portal users and lines."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher

from consentline.domain import passwords
from consentline.domain.errors import Conflict, InheritedSetting, InvalidInput
from consentline.domain.phone import to_e164
from consentline.domain.text import one_line
from consentline.service import audit, settings as settings_service
from consentline.service.access import (
    SHOWN_PREFIX,
    Principal,
    Privilege,
    hash_api_key,
    new_api_key,
    visible_org,
)
from consentline.service.unit_of_work import UnitOfWork
from consentline.store import api_keys as api_key_store, orgs as org_store
from consentline.store.orgs import LineRow, OrgRow

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD_LENGTH = passwords.MIN_LENGTH
password_hasher = PasswordHasher()  # argon2id with the library's current parameters


@dataclass(frozen=True)
class UserCreated:
    id: int
    email: str
    name: str
    privileges: list[str]


UNUSABLE_NUMBER = "The number {} cannot be used for a new line (it may already be one)."


def _name(value: str, what: str) -> str:
    name = one_line(value, f"The {what}").strip()
    if not name or len(name) > 200:
        raise InvalidInput(f"The {what} must be 1 to 200 characters.", code="invalid_name")
    return name


def _privileges(values: list[str]) -> list[str]:
    known = {p.value for p in Privilege}
    unknown = sorted(set(values) - known)
    if unknown:
        raise InvalidInput(
            f"Unknown privilege {', '.join(unknown)}; use {', '.join(sorted(known))}.",
            code="invalid_privilege",
        )
    return sorted(set(values))


def valid_name(value: str, what: str) -> str:
    """A name stripped of spaces, 1 to 200 characters (else 422)."""
    return _name(value, what)


def privileges_of(values: list[str]) -> list[str]:
    """Known privileges, sorted and once each; an unknown one is refused (422)."""
    return _privileges(values)


def create_org(
    uow: UnitOfWork, principal: Principal, name: str, parent_id: int | None, now: datetime
) -> OrgRow:
    conn = uow.connection
    if parent_id is None:
        principal.require_operator()
        parent = None
    else:
        parent = visible_org(conn, principal, parent_id)
        principal.require(Privilege.SETUP)
    org = org_store.insert_org(conn, _name(name, "organization name"), parent, now)
    after = {"name": org.name, "parent_id": org.parent_id}
    audit.record(uow, principal, "org.created", "org", org.id, None, after, at=now, org=org)
    uow.commit()
    return org


def get_org(uow: UnitOfWork, principal: Principal, org_id: int) -> OrgRow:
    return visible_org(uow.connection, principal, org_id)


def set_entitlement(
    uow: UnitOfWork, principal: Principal, org_id: int, sms_optin: bool, now: datetime
) -> OrgRow:
    org = visible_org(uow.connection, principal, org_id)
    principal.require_operator()
    if org.parent_id is not None:
        raise InheritedSetting(
            "Entitlements are granted to the main organization; this is a sub-organization.",
        )
    before = settings_service.policy_settings(uow, org.id).entitled
    settings_service.write_settings(
        uow, principal, org, {"sms_optin": {"entitled": sms_optin}}, now
    )
    audit.record(
        uow,
        principal,
        "entitlement.changed",
        "org",
        org.id,
        {"sms_optin": before},
        {"sms_optin": sms_optin},
        at=now,
        org=org,
    )
    uow.commit()
    return org


@dataclass(frozen=True)
class IssuedKey:
    id: int
    key: str
    """The secret itself: shown once, only its hash is kept."""


def issue_key(
    uow: UnitOfWork,
    org_id: int | None,
    name: str,
    privileges: list[str],
    now: datetime,
    *,
    created_by: str,
    expires_at: datetime | None = None,
    is_operator: bool = False,
) -> IssuedKey:
    """Store a new key (its hash and first characters) and give the secret back, once."""
    key = new_api_key()
    key_id = api_key_store.insert_key(
        uow.connection,
        org_id=org_id,
        name=_name(name, "key name"),
        key_hash=hash_api_key(key),
        prefix=key[:SHOWN_PREFIX],
        privileges=_privileges(privileges),
        is_operator=is_operator,
        created_by=created_by,
        now=now,
        expires_at=expires_at,
    )
    return IssuedKey(key_id, key)


def create_api_key(
    uow: UnitOfWork,
    principal: Principal,
    org_id: int,
    name: str,
    privileges: list[str],
    now: datetime,
) -> str:
    org = visible_org(uow.connection, principal, org_id)
    principal.require(Privilege.SETUP)
    issued = issue_key(uow, org.id, name, privileges, now, created_by=principal.name)
    after = {"name": name.strip(), "privileges": sorted(privileges)}  # never the key itself
    audit.record(
        uow, principal, "api_key.created", "api_key", issued.id, None, after, at=now, org=org
    )
    uow.commit()
    return issued.key


def create_operator_key(
    uow: UnitOfWork, name: str, now: datetime, *, actor: audit.Actor = "cli"
) -> str:
    issued = issue_key(uow, None, name, [], now, created_by="bootstrap", is_operator=True)
    after = {"name": name, "operator": True}
    audit.record(uow, actor, "api_key.created", "api_key", issued.id, None, after, at=now)
    return issued.key


def add_user(
    uow: UnitOfWork,
    org_id: int | None,
    email: str,
    name: str,
    password: str,
    privileges: list[str],
    now: datetime,
    *,
    is_operator: bool = False,
    actor: audit.Actor = "cli",
) -> UserCreated:
    email = one_line(email, "The email").strip().lower()
    if not _EMAIL.match(email) or len(email) > 320:
        raise InvalidInput(f"{email!r} is not an email address.", code="invalid_email")
    problem = passwords.weakness(password)
    if problem:
        raise InvalidInput(problem, code="weak_password")
    if org_store.email_taken(uow.connection, email):
        raise Conflict(f"A user with email {email} already exists.", code="email_taken")
    granted = _privileges(privileges)
    user_id = org_store.insert_user(
        uow.connection,
        org_id,
        email,
        _name(name, "user name"),
        password_hasher.hash(password),
        granted,
        is_operator,
        now,
    )
    org = org_store.get_org(uow.connection, org_id) if org_id is not None else None
    after: dict[str, object] = {"email": email, "name": name.strip(), "privileges": granted}
    if is_operator:
        after["operator"] = True
    audit.record(uow, actor, "user.created", "user", user_id, None, after, at=now, org=org)
    return UserCreated(user_id, email, name.strip(), granted)


def create_user(
    uow: UnitOfWork,
    principal: Principal,
    org_id: int,
    email: str,
    name: str,
    password: str,
    privileges: list[str],
    now: datetime,
) -> UserCreated:
    org = visible_org(uow.connection, principal, org_id)
    principal.require(Privilege.SETUP)
    user = add_user(uow, org.id, email, name, password, privileges, now, actor=principal)
    uow.commit()
    return user


def create_line(
    uow: UnitOfWork,
    principal: Principal,
    org_id: int,
    number: str,
    employee_name: str,
    now: datetime,
    *,
    default_region: str = "US",
) -> LineRow:
    conn = uow.connection
    org = visible_org(conn, principal, org_id)
    principal.require(Privilege.SETUP)
    e164 = to_e164(number, default_region)
    if org_store.find_line_by_number(conn, e164) is not None:
        # One answer whoever holds the number: a tenant must not learn which numbers
        # another tenant's lines use.
        raise Conflict(UNUSABLE_NUMBER.format(e164), code="number_unavailable")
    line = org_store.insert_line(conn, org, e164, _name(employee_name, "employee name"), now)
    after = {"number": line.number, "employee_name": line.employee_name, "org_id": line.org_id}
    audit.record(uow, principal, "line.created", "line", line.id, None, after, at=now, org=org)
    uow.commit()
    return line
