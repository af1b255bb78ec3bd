"""A demo organization ready to try: a root, a sub-organization, two lines, consent mode."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from consentline.service import orgs as org_service, settings as settings_service
from consentline.service.access import Principal
from consentline.service.unit_of_work import UnitOfWork
from consentline.store import orgs as org_store

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
    api_key: str
    email: str
    password: str
    contact: str


def seed_demo(uow: UnitOfWork, now: datetime) -> Demo:
    """Create the demo organization once; every call issues a fresh API key for it."""
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
    key = org_service.create_api_key(
        uow, SYSTEM, root.id, f"demo {now:%Y-%m-%d %H:%M}", ["setup", "reports", "messaging"], now
    )  # commits
    return Demo(root.id, sub.id, DEMO_LINES, key, DEMO_EMAIL, DEMO_PASSWORD, DEMO_CONTACT)
