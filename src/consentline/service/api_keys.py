"""API keys of an organization: make, list, revoke, rotate.

The secret is shown once, when made; afterwards a key is known by its id, name and first
characters. Each administrative action is one function (for the admin audit log).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from consentline.domain.errors import Conflict, InvalidInput, NotFound
from consentline.service import audit
from consentline.service.access import Principal, Privilege, visible_org
from consentline.service.orgs import issue_key
from consentline.service.unit_of_work import UnitOfWork
from consentline.store import api_keys as api_key_store
from consentline.store.api_keys import ApiKeyRow

MAX_LIFETIME = timedelta(days=3650)
DEFAULT_GRACE = timedelta(hours=24)
MAX_GRACE = timedelta(days=30)


@dataclass(frozen=True)
class KeyCreated:
    """A new key with its secret: the only time the secret is seen."""

    key: str
    record: ApiKeyRow


@dataclass(frozen=True)
class KeyRotated:
    created: KeyCreated
    old: ApiKeyRow
    """The key it replaces, now expiring at the end of the grace period."""


def _checked_expiry(expires_at: datetime | None, now: datetime) -> datetime | None:
    if expires_at is None:
        return None
    if expires_at.tzinfo is None:
        raise InvalidInput(
            "expires_at needs a time zone, like 2027-01-31T00:00:00Z.", code="invalid_expiry"
        )
    if expires_at <= now:
        raise InvalidInput("expires_at must be in the future.", code="invalid_expiry")
    if expires_at > now + MAX_LIFETIME:
        raise InvalidInput("expires_at must be within ten years.", code="invalid_expiry")
    return expires_at


def create_key(
    uow: UnitOfWork,
    principal: Principal,
    org_id: int,
    name: str,
    privileges: list[str],
    now: datetime,
    *,
    expires_at: datetime | None = None,
) -> KeyCreated:
    org = visible_org(uow.connection, principal, org_id)
    principal.require(Privilege.SETUP)
    if not privileges:
        raise InvalidInput("A key needs at least one privilege.", code="invalid_privilege")
    issued = issue_key(
        uow,
        org.id,
        name,
        privileges,
        now,
        created_by=principal.name,
        expires_at=_checked_expiry(expires_at, now),
    )
    record = api_key_store.get_key(uow.connection, issued.id)
    assert record is not None
    after = _audited(record)  # never the key itself
    audit.record(
        uow, principal, "api_key.created", "api_key", record.id, None, after, at=now, org=org
    )
    uow.commit()
    return KeyCreated(issued.key, record)


def _audited(key: ApiKeyRow) -> dict[str, object]:
    """What the audit log keeps of a key: never the secret or its hash."""
    return {
        "name": key.name,
        "prefix": key.prefix,
        "privileges": sorted(key.privileges),
        "expires_at": key.expires_at.isoformat() if key.expires_at else None,
        "revoked_at": key.revoked_at.isoformat() if key.revoked_at else None,
    }


def list_keys(uow: UnitOfWork, principal: Principal, org_id: int) -> list[ApiKeyRow]:
    """Every key made for the organization, revoked and expired ones too."""
    org = visible_org(uow.connection, principal, org_id)
    principal.require(Privilege.SETUP)
    return api_key_store.org_keys(uow.connection, org.id)


def get_key(uow: UnitOfWork, principal: Principal, org_id: int, key_id: int) -> ApiKeyRow:
    org = visible_org(uow.connection, principal, org_id)
    principal.require(Privilege.SETUP)
    key = api_key_store.get_key(uow.connection, key_id)
    if key is None or key.org_id != org.id:
        raise NotFound(f"No API key {key_id} in this organization.", code="unknown_api_key")
    return key


def revoke_key(
    uow: UnitOfWork, principal: Principal, org_id: int, key_id: int, now: datetime
) -> ApiKeyRow:
    """Revoke at once: the next request with the key is refused (401). Revoking a revoked
    key changes nothing."""
    key = get_key(uow, principal, org_id, key_id)
    api_key_store.revoke(uow.connection, key.id, now)
    revoked = api_key_store.get_key(uow.connection, key.id)
    assert revoked is not None
    if key.revoked_at is None:
        audit.record(
            uow,
            principal,
            "api_key.revoked",
            "api_key",
            key.id,
            _audited(key),
            _audited(revoked),
            at=now,
            org=visible_org(uow.connection, principal, org_id),
        )
    uow.commit()
    return revoked


def rotate_key(
    uow: UnitOfWork,
    principal: Principal,
    org_id: int,
    key_id: int,
    now: datetime,
    *,
    grace: timedelta = DEFAULT_GRACE,
) -> KeyRotated:
    """A new key with the same name, privileges and lifetime; the old one keeps working
    for ``grace`` (zero: it stops at once), so callers can switch without an outage."""
    old = get_key(uow, principal, org_id, key_id)
    if old.revoked_at is not None or (old.expires_at is not None and old.expires_at <= now):
        raise Conflict("This key no longer works; make a new one instead.", code="key_inactive")
    if grace < timedelta(0) or grace > MAX_GRACE:
        raise InvalidInput("The grace period must be 0 to 30 days.", code="invalid_grace")
    lifetime = old.expires_at - old.created_at if old.expires_at else None
    issued = issue_key(
        uow,
        old.org_id,
        old.name,
        list(old.privileges),
        now,
        created_by=principal.name,
        expires_at=now + lifetime if lifetime else None,
    )
    conn = uow.connection
    if grace:
        api_key_store.expire_by(conn, old.id, now + grace)
    else:
        api_key_store.revoke(conn, old.id, now)
    new, ended = api_key_store.get_key(conn, issued.id), api_key_store.get_key(conn, old.id)
    assert new is not None
    assert ended is not None
    after = {**_audited(ended), "replaced_by": new.id, "grace_seconds": int(grace.total_seconds())}
    org = visible_org(conn, principal, org_id)
    audit.record(
        uow, principal, "api_key.rotated", "api_key", old.id, _audited(old), after, at=now, org=org
    )
    uow.commit()
    return KeyRotated(KeyCreated(issued.key, new), ended)
