"""What the consent-operation tests share: a second Setup key, and calls by path."""

from __future__ import annotations

from typing import Any

from tests.helpers import Api, Tenant

CONTACT = "+15557770001"
OTHER = "+15557770002"


def setup_key(api: Api, tenant: Tenant, name: str) -> str:
    """Another person's key with the Setup privilege (a different principal)."""
    created = api.call(
        "POST",
        f"/api/v1/orgs/{tenant.org_id}/api-keys",
        tenant.key,
        201,
        json={"name": name, "privileges": ["setup", "reports", "messaging"]},
    )
    return str(created["key"])


def record(api: Api, tenant: Tenant, expect: int, key: str | None = None, **body: Any) -> Any:
    payload = {"contact": CONTACT, "method": "phone_call", "note": "Called the branch.", **body}
    return api.call(
        "POST", f"/api/v1/orgs/{tenant.org_id}/consents", key or tenant.key, expect, json=payload
    )


def import_csv(api: Api, tenant: Tenant, text: str, expect: int = 200, **params: Any) -> Any:
    return api.call(
        "POST",
        f"/api/v1/orgs/{tenant.org_id}/consents/import",
        tenant.key,
        expect,
        content=text.encode(),
        params=params,
    )
