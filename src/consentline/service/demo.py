"""A demo organization ready to try: a root, a sub-organization, two lines, consent mode."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from consentline.service import orgs as org_service, settings as settings_service
from consentline.service.access import SHOWN_PREFIX, Principal
from consentline.service.unit_of_work import UnitOfWork
from consentline.store import api_keys as api_key_store, orgs as org_store

DEMO_ORG = "Acme Wealth"
DEMO_SUB_ORG = "West Region"
DEMO_EMAIL = "demo@consentline.test"
DEMO_PASSWORD = "consentline-demo"  # noqa: S105 - a published demo login, not a secret
DEMO_LINES = (("+15550100001", "Dana Whitfield"), ("+15550100002", "Sam Ortega"))
DEMO_CONTACT = "+15550199001"
SYSTEM = Principal(name="system:demo", org_id=None, privileges=frozenset(), is_operator=True)


@dataclass(frozen=True)
class Demo:
    org_id: int
    sub_org_id: int
    lines: tuple[tuple[str, str], ...]
    api_key: str | None
    """The demo key's secret when this call made it (the first start, or a new key asked
    for); None when the one made earlier still works (only its hash is kept)."""
    api_key_prefix: str
    email: str
    password: str
    contact: str


DEMO_KEY_NAME = "demo"


def seed_demo(uow: UnitOfWork, now: datetime, *, new_key: bool = False) -> Demo:
    """Create the demo organization and its API key once per database.

    Later calls find both and make no key: the one printed at the first start still works.
    ``new_key`` revokes the demo's keys and makes a new one (also made when the old one
    was revoked or has expired).
    """
    conn = uow.connection
    existing = [o for o in org_store.list_orgs(conn) if o.name == DEMO_ORG and o.parent_id is None]
    if existing:
        root = existing[0]
        sub = next(o for o in org_store.list_orgs(conn, root.id) if o.parent_id == root.id)
    else:
        root = org_store.insert_org(conn, DEMO_ORG, None, now)
        sub = org_store.insert_org(conn, DEMO_SUB_ORG, root, now)
        settings_service.write_settings(
            uow,
            SYSTEM,
            root,
            {"sms_optin": {"entitled": True, "enabled": True, "mode": "consent"}},
            now,
        )
        for (number, name), org in zip(DEMO_LINES, (root, sub), strict=True):
            org_store.insert_line(conn, org, number, name, now)
        org_service.add_user(
            uow,
            root.id,
            DEMO_EMAIL,
            "Demo Admin",
            DEMO_PASSWORD,
            ["setup", "reports", "messaging"],
            now,
        )
    working = [
        key
        for key in api_key_store.org_keys(conn, root.id)
        if key.name == DEMO_KEY_NAME
        and key.revoked_at is None
        and (key.expires_at is None or key.expires_at > now)
    ]
    secret = None
    if new_key or not working:
        for old in working:
            api_key_store.revoke(conn, old.id, now)
        issued = org_service.issue_key(
            uow,
            root.id,
            DEMO_KEY_NAME,
            ["setup", "reports", "messaging"],
            now,
            created_by=SYSTEM.name,
        )
        secret, prefix = issued.key, issued.key[:SHOWN_PREFIX]
    else:
        prefix = working[-1].prefix or ""
    uow.commit()
    return Demo(
        root.id, sub.id, DEMO_LINES, secret, prefix, DEMO_EMAIL, DEMO_PASSWORD, DEMO_CONTACT
    )
