"""Who is asking, and what they may see and do.

Anything outside the caller's part of the organization tree answers 404, so a key of one
enterprise cannot even learn that another's organizations exist.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import Connection, Engine

from consentline.domain.errors import Forbidden, NotFound, Unauthorized
from consentline.store import api_keys as api_key_store, orgs as org_store
from consentline.store.orgs import LineRow, OrgRow

API_KEY_PREFIX = "cl_"
SHOWN_PREFIX = 8  # characters of a key kept to recognize it: "cl_" and five of 43 random
# ``last_used_at`` is this precise: a key in constant use costs one write a minute.
KEY_USE_RESOLUTION = timedelta(minutes=1)


class Privilege(StrEnum):
    SETUP = "setup"
    REPORTS = "reports"
    MESSAGING = "messaging"


@dataclass(frozen=True)
class Principal:
    name: str
    org_id: int | None
    privileges: frozenset[str]
    is_operator: bool = False

    def require(self, *any_of: Privilege) -> None:
        if self.is_operator or any(p.value in self.privileges for p in any_of):
            return
        needed = " or ".join(p.value for p in any_of)
        raise Forbidden(f"This needs the {needed} privilege.", code="missing_privilege")

    def require_operator(self) -> None:
        if not self.is_operator:
            raise Forbidden(
                "Only the service provider (operator) may do this.", code="operator_only"
            )


def new_api_key() -> str:
    return API_KEY_PREFIX + secrets.token_urlsafe(32)


def hash_api_key(key: str) -> str:
    # Keys are 256 random bits, so a fast hash is enough; passwords use argon2.
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True)
class Authenticated:
    """A caller who showed a valid key, and whether to note that the key was used."""

    principal: Principal
    key_id: int
    note_use: bool


def authenticate(conn: Connection, key: str | None, now: datetime) -> Authenticated:
    if not key:
        raise Unauthorized("An API key is required: send 'Authorization: Bearer <key>'.")
    found = org_store.find_api_key(conn, hash_api_key(key))
    if found is None:
        raise Unauthorized("The API key is not valid.")
    if found.revoked_at is not None:
        raise Unauthorized("This API key was revoked.", code="key_revoked")
    if found.expires_at is not None and found.expires_at <= now:
        raise Unauthorized("This API key has expired.", code="key_expired")
    principal = Principal(
        name=f"api-key:{found.id}:{found.name}",
        org_id=found.org_id,
        privileges=frozenset(found.privileges),
        is_operator=found.is_operator,
    )
    last = found.last_used_at
    return Authenticated(principal, found.id, last is None or now - last >= KEY_USE_RESOLUTION)


def note_key_use(engine: Engine, key_id: int, now: datetime) -> None:
    """Record when a key was used, in a short write of its own (at most once a minute)."""
    with engine.begin() as conn:
        api_key_store.mark_used(conn, key_id, now, now - KEY_USE_RESOLUTION)


MAX_ID = 2**63 - 1  # ids are 64-bit integers in the database


def visible_org(conn: Connection, principal: Principal, org_id: int) -> OrgRow:
    org = org_store.get_org(conn, org_id) if 0 < org_id <= MAX_ID else None
    if org is None or not _can_see(conn, principal, org):
        raise NotFound(f"No organization {org_id}.")
    return org


def visible_line(
    conn: Connection, principal: Principal, line: LineRow | None, label: str
) -> LineRow:
    if line is None or not _can_see_line(conn, principal, line):
        raise NotFound(f"No line {label}.", code="unknown_line")
    return line


def _can_see_line(conn: Connection, principal: Principal, line: LineRow) -> bool:
    # The common case, a key of the line's own or main organization, needs no look-up.
    if principal.is_operator or principal.org_id in (line.org_id, line.root_id):
        return True
    org = org_store.get_org(conn, line.org_id)
    return org is not None and _can_see(conn, principal, org)


def _can_see(conn: Connection, principal: Principal, org: OrgRow) -> bool:
    if principal.is_operator:
        return True
    return principal.org_id is not None and principal.org_id in org_store.ancestor_ids(conn, org)
