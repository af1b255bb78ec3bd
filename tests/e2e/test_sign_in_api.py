"""The sign-in settings API: single sign-on per main organization, and requiring TOTP."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import Api, Tenant

SSO = {
    "issuer": "https://login.northwind.test/oauth2",
    "client_id": "consentline",
    "client_secret": "s3cret-value-of-the-client",
    "allowed_domains": ["Northwind.test", "@northwind-bank.test"],
    "label": "Northwind Okta",
    "privileges_claim": "groups",
    "claim_privileges": {"cl-admins": ["setup", "reports"]},
}


def _sso(api: Api, tenant: Tenant, expect: int, body: dict[str, Any] | None = None) -> Any:
    return api.call("PUT", f"/api/v1/orgs/{tenant.org_id}/sso", tenant.key, expect, json=body)


def test_sso_is_set_up_and_the_secret_is_never_shown_back(api: Api) -> None:
    tenant = api.tenant()
    api.call("GET", f"/api/v1/orgs/{tenant.org_id}/sso", tenant.key, 404)
    saved = _sso(api, tenant, 200, SSO)
    assert saved["allowed_domains"] == ["northwind-bank.test", "northwind.test"]
    assert saved["client_secret_set"] is True
    assert saved["sign_in_path"] == f"/login/sso/org/{tenant.org_id}"
    assert saved["create_users"] is False
    read = api.call("GET", f"/api/v1/orgs/{tenant.org_id}/sso", tenant.key, 200)
    assert SSO["client_secret"] not in str(read)
    assert "client_secret" not in read
    # Left out, the stored secret is kept.
    changed = _sso(api, tenant, 200, {**SSO, "client_secret": None, "label": "Okta"})
    assert changed["client_secret_set"] is True
    assert changed["label"] == "Okta"
    deleted = api.client.delete(
        f"/api/v1/orgs/{tenant.org_id}/sso", headers={"Authorization": f"Bearer {tenant.key}"}
    )
    assert deleted.status_code == 204
    api.call("GET", f"/api/v1/orgs/{tenant.org_id}/sso", tenant.key, 404)


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"issuer": "http://login.northwind.test"}, "invalid_sso"),
        ({"issuer": "not a url"}, "invalid_sso"),
        ({"issuer": "https://["}, "invalid_sso"),
        ({"allowed_domains": ["not a domain"]}, "invalid_sso"),
        ({"allowed_domains": []}, "invalid_request"),
        ({"client_secret": None}, "invalid_sso"),
        ({"claim_privileges": {"x": ["root"]}}, "invalid_request"),
        ({"privileges_claim": "has spaces"}, "invalid_sso"),
    ],
)
def test_bad_sso_settings_are_refused_and_change_nothing(
    api: Api, change: dict[str, Any], code: str
) -> None:
    tenant = api.tenant()
    refused = _sso(api, tenant, 422, {**SSO, **change})
    assert refused["error"]["code"] == code
    api.call("GET", f"/api/v1/orgs/{tenant.org_id}/sso", tenant.key, 404)


def test_a_domain_signs_in_to_one_organization_only(api: Api) -> None:
    first = api.tenant()
    second = api.tenant(company="Other Bank", line="+15550001002")
    _sso(api, first, 200, SSO)
    taken = _sso(api, second, 409, {**SSO, "allowed_domains": ["northwind.test"]})
    assert taken["error"]["code"] == "domain_taken"


def test_sign_in_settings_need_setup_and_a_main_organization(api: Api) -> None:
    tenant = api.tenant()
    reports = api.call(
        "POST",
        f"/api/v1/orgs/{tenant.org_id}/api-keys",
        tenant.key,
        201,
        json={"name": "reports", "privileges": ["reports"]},
    )["key"]
    api.call("PUT", f"/api/v1/orgs/{tenant.org_id}/sso", reports, 403, json=SSO)
    api.call(
        "PUT",
        f"/api/v1/orgs/{tenant.org_id}/sign-in-policy",
        reports,
        403,
        json={"require_totp": True},
    )
    sub = api.call(
        "POST", "/api/v1/orgs", tenant.key, 201, json={"name": "West", "parent_id": tenant.org_id}
    )
    refused = api.call("PUT", f"/api/v1/orgs/{sub['id']}/sso", tenant.key, 422, json=SSO)
    assert refused["error"]["code"] == "not_main_organization"
    other = api.tenant(company="Other Bank", line="+15550001002")
    api.call("PUT", f"/api/v1/orgs/{other.org_id}/sso", tenant.key, 404, json=SSO)


def test_an_organization_can_require_totp(api: Api) -> None:
    tenant = api.tenant()
    path = f"/api/v1/orgs/{tenant.org_id}/sign-in-policy"
    assert api.call("GET", path, tenant.key, 200) == {"require_totp": False}
    assert api.call("PUT", path, tenant.key, 200, json={"require_totp": True}) == {
        "require_totp": True
    }
    assert api.call("GET", path, tenant.key, 200) == {"require_totp": True}
    api.call("PUT", path, tenant.key, 422, json={"require_totp": "maybe"})
    assert api.call("GET", path, tenant.key, 200) == {"require_totp": True}
