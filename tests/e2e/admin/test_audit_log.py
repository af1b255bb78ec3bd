"""The admin audit log through the real API: what is recorded, filters, CSV, access."""

from __future__ import annotations

import csv
import io
from typing import Any

from tests.helpers import Api, Tenant

PASSWORD = "correct horse battery"


def _log(api: Api, tenant: Tenant, key: str | None = None, **params: Any) -> Any:
    return api.call(
        "GET", f"/api/v1/orgs/{tenant.org_id}/audit-log", key or tenant.key, 200, params=params
    )


def test_every_administrative_action_of_the_api_is_recorded(api: Api) -> None:
    tenant = api.tenant()
    org = f"/api/v1/orgs/{tenant.org_id}"
    user = api.call(
        "POST",
        f"{org}/users",
        tenant.key,
        201,
        json={
            "email": "Grace@Example.com",
            "name": "Grace",
            "password": PASSWORD,
            "privileges": ["reports"],
        },
    )
    api.call(
        "PATCH",
        f"{org}/providers",
        tenant.key,
        200,
        json={
            "employee_app": {
                "url": "https://app.example.com/hook",
                "signing_secret": "s3cr3t-value",
            }
        },
    )
    log = _log(api, tenant)
    actions = [item["action"] for item in log["items"]]
    # Newest first: what tenant() and this test did, in reverse.
    assert actions == [
        "providers.changed",
        "user.created",
        "settings.changed",
        "line.created",
        "api_key.created",
        "entitlement.changed",
        "org.created",
    ]
    assert log["total"] == 7
    assert log["page"] == 1
    assert log["page_size"] == 50
    by_action = {item["action"]: item for item in log["items"]}
    created = by_action["user.created"]
    assert created["target_type"] == "user"
    assert created["target_id"] == str(user["id"])
    assert created["after"] == {
        "email": "grace@example.com",
        "name": "Grace",
        "privileges": ["reports"],
    }
    assert created["actor"].startswith("api-key:")
    assert created["actor"].endswith(":all")
    assert created["source"] == "api testclient"
    key = by_action["api_key.created"]
    assert key["after"]["name"] == "all"
    assert key["after"]["privileges"] == ["messaging", "reports", "setup"]
    assert key["after"]["revoked_at"] is None
    assert key["actor"].startswith("api-key:")
    assert key["actor"].endswith(":operator")
    assert by_action["entitlement.changed"]["before"] == {"sms_optin": False}
    assert by_action["entitlement.changed"]["after"] == {"sms_optin": True}
    settings = by_action["settings.changed"]
    assert settings["before"]["sms_optin.enabled"] is False
    assert settings["after"]["sms_optin.enabled"] is True
    providers = by_action["providers.changed"]
    assert providers["after"]["providers.employee_app.signing_secret"] == "(set)"
    text = str(log)
    assert PASSWORD not in text
    assert "s3cr3t-value" not in text
    assert tenant.key not in text
    assert all(item["at"].endswith("Z") for item in log["items"])


def test_filters_by_action_actor_and_dates_and_pages(api: Api) -> None:
    tenant = api.tenant()
    only_keys = _log(api, tenant, action="api_key")
    assert [i["action"] for i in only_keys["items"]] == ["api_key.created"]
    assert _log(api, tenant, action="api_key.created")["total"] == 1
    assert _log(api, tenant, action="api_key.cre")["total"] == 0  # a prefix ends at a dot
    assert _log(api, tenant, actor=":operator")["total"] == 3  # org, entitlement, key
    day = api.clock.now.date().isoformat()
    assert _log(api, tenant, **{"from": day, "to": day})["total"] == 5
    api.clock.advance(days=2)
    api.settings(tenant, hold_max_age=3600)
    later = (api.clock.now.date()).isoformat()
    recent = _log(api, tenant, **{"from": later})
    assert [i["action"] for i in recent["items"]] == ["settings.changed"]
    assert recent["items"][0]["after"] == {"hold_max_age": 3600}
    paged = _log(api, tenant, page=2, page_size=2)
    assert paged["total"] == 6
    assert len(paged["items"]) == 2
    assert [i["action"] for i in paged["items"]] == ["line.created", "api_key.created"]


def test_csv_has_every_record_with_its_before_and_after_as_json(api: Api) -> None:
    tenant = api.tenant()
    api.call(
        "POST",
        f"/api/v1/orgs/{tenant.org_id}/lines",
        tenant.key,
        201,
        json={"number": "+15550001002", "employee_name": "=HYPERLINK(1)"},
    )
    response = api.client.get(
        f"/api/v1/orgs/{tenant.org_id}/audit-log",
        params={"format": "csv"},
        headers={"Authorization": f"Bearer {tenant.key}"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 6
    assert rows[0]["action"] == "line.created"
    assert '"employee_name": "=HYPERLINK(1)"' in rows[0]["after"]


def test_only_setup_or_reports_and_never_another_enterprise(api: Api) -> None:
    tenant = api.tenant()
    other = api.tenant(company="Contoso", line="+15550002001")
    org = f"/api/v1/orgs/{tenant.org_id}"
    messaging = api.call(
        "POST",
        f"{org}/api-keys",
        tenant.key,
        201,
        json={"name": "app", "privileges": ["messaging"]},
    )["key"]
    reports = api.call(
        "POST",
        f"{org}/api-keys",
        tenant.key,
        201,
        json={"name": "compliance", "privileges": ["reports"]},
    )["key"]
    refused = api.call("GET", f"{org}/audit-log", messaging, 403)
    assert refused["error"]["code"] == "missing_privilege"
    assert _log(api, tenant, reports)["total"] >= 5
    hidden = api.call("GET", f"/api/v1/orgs/{other.org_id}/audit-log", tenant.key, 404)
    assert hidden["error"]["code"] == "not_found"
    # Each enterprise sees only its own records.
    assert all("Contoso" not in str(item) for item in _log(api, tenant)["items"])
    bad = api.call("GET", f"{org}/audit-log", tenant.key, 422, params={"from": "yesterday"})
    assert bad["error"]["code"] == "invalid_request"
    backwards = api.call(
        "GET",
        f"{org}/audit-log",
        tenant.key,
        422,
        params={"from": "2026-02-01", "to": "2026-01-01"},
    )
    assert backwards["error"]["code"] == "invalid_date_range"


def test_a_sub_organization_sees_only_records_about_itself_and_below(api: Api) -> None:
    tenant = api.tenant()
    sub = api.call(
        "POST", "/api/v1/orgs", tenant.key, 201, json={"name": "West", "parent_id": tenant.org_id}
    )
    api.call(
        "POST",
        f"/api/v1/orgs/{sub['id']}/lines",
        tenant.key,
        201,
        json={"number": "+15550001009", "employee_name": "Wes"},
    )
    log = api.call("GET", f"/api/v1/orgs/{sub['id']}/audit-log", tenant.key, 200)
    assert [i["action"] for i in log["items"]] == ["line.created", "org.created"]


def test_report_downloads_are_recorded_as_exports(api: Api) -> None:
    tenant = api.tenant()
    response = api.client.get(
        "/api/v1/reports/sms-optin",
        params={"format": "csv", "mode": "consent", "from": "2026-01-01"},
        headers={"Authorization": f"Bearer {tenant.key}"},
    )
    assert response.status_code == 200
    api.call("GET", "/api/v1/reports/sms-optin", tenant.key, 200)  # a JSON page is no export
    exported = _log(api, tenant, action="report.exported")
    assert exported["total"] == 1
    item = exported["items"][0]
    assert item["target_type"] == "report"
    assert item["target_id"] == "sms-optin"
    assert item["after"]["format"] == "csv"
    assert item["after"]["from"] == "2026-01-01"
    assert item["source"] == "api testclient"
