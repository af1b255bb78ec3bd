"""Single sign-on settings of a main organization: its OpenID Connect provider.

One provider per main organization. The client secret is kept to be sent to the provider
and is never shown back (``SsoPublic`` says only whether one is set). An email domain may
belong to one organization's provider only, since the sign-in page picks the provider by
the domain of the email typed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from consentline.domain.errors import Conflict, InvalidInput, NotFound
from consentline.service import audit
from consentline.service.access import Principal, Privilege, visible_org
from consentline.service.orgs import privileges_of
from consentline.service.unit_of_work import UnitOfWork
from consentline.store import sso as sso_store
from consentline.store.orgs import OrgRow
from consentline.store.sso import SsoRow

_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_CLAIM = re.compile(r"^[A-Za-z0-9_:./-]{1,100}$")
_LOOPBACK = {"localhost", "127.0.0.1", "::1"}


@dataclass(frozen=True)
class SsoUpdate:
    issuer: str
    client_id: str
    client_secret: str | None
    """None keeps the secret already stored."""
    allowed_domains: list[str]
    label: str = ""
    privileges_claim: str | None = None
    claim_privileges: dict[str, list[str]] = field(default_factory=dict)
    create_users: bool = False


@dataclass(frozen=True)
class SsoPublic:
    org_id: int
    label: str
    issuer: str
    client_id: str
    client_secret_set: bool
    allowed_domains: list[str]
    privileges_claim: str | None
    claim_privileges: dict[str, list[str]]
    create_users: bool
    updated_at: datetime


def public(row: SsoRow) -> SsoPublic:
    return SsoPublic(
        org_id=row.root_id,
        label=row.label,
        issuer=row.issuer,
        client_id=row.client_id,
        client_secret_set=bool(row.client_secret),
        allowed_domains=list(row.allowed_domains),
        privileges_claim=row.privileges_claim,
        claim_privileges=row.claim_privileges,
        create_users=row.create_users,
        updated_at=row.updated_at,
    )


def _main_org(uow: UnitOfWork, principal: Principal, org_id: int) -> OrgRow:
    org = visible_org(uow.connection, principal, org_id)
    principal.require(Privilege.SETUP)
    if org.parent_id is not None:
        raise InvalidInput(
            "Single sign-on is set on the main organization.", code="not_main_organization"
        )
    return org


def get(uow: UnitOfWork, principal: Principal, org_id: int) -> SsoPublic | None:
    org = _main_org(uow, principal, org_id)
    row = sso_store.get_provider(uow.connection, org.id)
    return public(row) if row else None


def configure(
    uow: UnitOfWork, principal: Principal, org_id: int, update: SsoUpdate, now: datetime
) -> SsoPublic:
    org = _main_org(uow, principal, org_id)
    conn = uow.connection
    existing = sso_store.get_provider(conn, org.id)
    secret = (update.client_secret or "").strip() or (existing.client_secret if existing else "")
    if not secret:
        raise InvalidInput("The client secret is required.", code="invalid_sso")
    domains = _domains(update.allowed_domains)
    for other in sso_store.all_providers(conn):
        taken = set(domains) & set(other.allowed_domains)
        if other.root_id != org.id and taken:
            raise Conflict(
                f"The domain {sorted(taken)[0]} already signs in to another organization.",
                code="domain_taken",
            )
    claim = (update.privileges_claim or "").strip() or None
    if claim is not None and not _CLAIM.match(claim):
        raise InvalidInput(f"{claim!r} is not a claim name.", code="invalid_sso")
    mapping = {
        str(value).strip(): privileges_of(list(privileges))
        for value, privileges in update.claim_privileges.items()
        if str(value).strip()
    }
    row = SsoRow(
        root_id=org.id,
        label=(update.label.strip() or org.name)[:100],
        issuer=_issuer(update.issuer),
        client_id=_required(update.client_id, "client id"),
        client_secret=secret,
        allowed_domains=tuple(domains),
        privileges_claim=claim,
        claim_privileges=mapping,
        create_users=update.create_users,
        updated_at=now,
    )
    sso_store.put_provider(conn, row)
    before = _audited(existing) if existing else None
    after = {**_audited(row), "client_secret_changed": bool((update.client_secret or "").strip())}
    audit.record(uow, principal, "sso.configured", "org", org.id, before, after, at=now, org=org)
    uow.commit()
    return public(row)


def _audited(row: SsoRow) -> dict[str, object]:
    """What the audit log keeps of a provider: never the client secret."""
    return {
        "issuer": row.issuer,
        "client_id": row.client_id,
        "allowed_domains": list(row.allowed_domains),
        "privileges_claim": row.privileges_claim,
        "claim_privileges": row.claim_privileges,
        "create_users": row.create_users,
    }


def remove(uow: UnitOfWork, principal: Principal, org_id: int, now: datetime) -> None:
    org = _main_org(uow, principal, org_id)
    existing = sso_store.get_provider(uow.connection, org.id)
    if existing is None or not sso_store.delete_provider(uow.connection, org.id):
        raise NotFound("Single sign-on is not set up.", code="no_sso")
    audit.record(
        uow, principal, "sso.removed", "org", org.id, _audited(existing), None, at=now, org=org
    )
    uow.commit()


def provider_for_email(uow: UnitOfWork, email: str) -> SsoRow | None:
    """The provider of the organization that owns the email's domain, if any."""
    domain = email.strip().lower().rpartition("@")[2]
    if not domain:
        return None
    return next(
        (
            each
            for each in sso_store.all_providers(uow.connection)
            if domain in each.allowed_domains
        ),
        None,
    )


def _required(value: str, what: str) -> str:
    value = value.strip()
    if not value or len(value) > 500:
        raise InvalidInput(f"The {what} must be 1 to 500 characters.", code="invalid_sso")
    return value


def _issuer(value: str) -> str:
    issuer = _required(value, "issuer")  # kept as typed: the token's iss must equal it
    try:
        parts = urlsplit(issuer)
        host = parts.hostname
    except ValueError:  # such as an unclosed [ of an IPv6 address
        parts, host = urlsplit(""), None
    loopback = parts.scheme == "http" and host in _LOOPBACK
    if not host or not (parts.scheme == "https" or loopback) or parts.query or parts.fragment:
        raise InvalidInput(
            "The issuer must be an https:// URL (http:// only on this machine, for testing).",
            code="invalid_sso",
        )
    return issuer


def _domains(values: list[str]) -> list[str]:
    domains = sorted({value.strip().lower().lstrip("@") for value in values if value.strip()})
    if not domains:
        raise InvalidInput("Name at least one allowed email domain.", code="invalid_sso")
    for domain in domains:
        if not _DOMAIN.match(domain):
            raise InvalidInput(f"{domain!r} is not an email domain.", code="invalid_sso")
    return domains
