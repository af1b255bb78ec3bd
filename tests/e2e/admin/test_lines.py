"""Lines through the real API: rename, move within the enterprise, retire; each audited."""

from __future__ import annotations

from typing import Any

from tests.helpers import Api, Tenant

CONTACT = "+15550199001"


def _line_id(api: Api, tenant: Tenant) -> int:
    lines = api.call("GET", f"/api/v1/orgs/{tenant.org_id}/lines", tenant.key, 200)["items"]
    return int(next(line["id"] for line in lines if line["number"] == tenant.line))


def _patch(api: Api, tenant: Tenant, line_id: int, expect: int, **body: Any) -> Any:
    path = f"/api/v1/orgs/{tenant.org_id}/lines/{line_id}"
    return api.call("PATCH", path, tenant.key, expect, json=body)


def _actions(api: Api, tenant: Tenant) -> list[dict[str, Any]]:
    log = api.call("GET", f"/api/v1/orgs/{tenant.org_id}/audit-log", tenant.key, 200)
    return [item for item in log["items"] if item["action"].startswith("line.")]


def test_rename_and_move_to_a_sub_organization(api: Api) -> None:
    tenant = api.tenant(mode="disclaimer")
    sub = api.call(
        "POST", "/api/v1/orgs", tenant.key, 201, json={"name": "West", "parent_id": tenant.org_id}
    )
    line_id = _line_id(api, tenant)
    renamed = _patch(api, tenant, line_id, 200, employee_name="  Ada King ")
    assert renamed == {
        "id": line_id,
        "number": tenant.line,
        "employee_name": "Ada King",
        "org_id": tenant.org_id,
        "retired": False,
    }
    moved = _patch(api, tenant, line_id, 200, org_id=sub["id"])
    assert moved["org_id"] == sub["id"]
    # The new name is what the contact is told.
    api.inbound(tenant, CONTACT, "Hello")
    api.deliver()
    assert "Ada King" in api.phone(tenant, CONTACT, "contact")[0]
    changes = _actions(api, tenant)
    assert [c["action"] for c in changes] == ["line.changed", "line.changed", "line.created"]
    assert changes[0]["before"] == {"org_id": tenant.org_id, "number": tenant.line}
    assert changes[0]["after"] == {"org_id": sub["id"], "number": tenant.line}
    assert changes[1]["before"]["employee_name"] == "Ada Lovelace"
    assert changes[1]["after"]["employee_name"] == "Ada King"


def test_a_retired_line_refuses_new_messages_and_keeps_its_archive(api: Api) -> None:
    tenant = api.tenant()
    api.inbound(tenant, CONTACT, "Hi before")
    line_id = _line_id(api, tenant)
    retired = _patch(api, tenant, line_id, 200, retired=True)
    assert retired["retired"] is True
    refused = api.inbound(tenant, CONTACT, "Hi after", expect=409)
    assert refused["error"]["code"] == "line_retired"
    assert "retired" in refused["error"]["message"]
    sent = api.outbound(tenant, CONTACT, "Still there?", expect=409)
    assert sent["error"]["code"] == "line_retired"
    kept = api.conversation(tenant, CONTACT)
    assert [m["body"] for m in kept["messages"] if m["kind"] == "user"] == ["Hi before"]
    assert next(c["action"] for c in _actions(api, tenant)) == "line.retired"
    back = _patch(api, tenant, line_id, 200, retired=False)
    assert back["retired"] is False
    api.inbound(tenant, CONTACT, "Hi again")
    assert next(c["action"] for c in _actions(api, tenant)) == "line.reactivated"


def test_bad_changes_are_refused_and_change_nothing(api: Api) -> None:
    tenant = api.tenant()
    other = api.tenant(company="Contoso", line="+15550002001")
    line_id = _line_id(api, tenant)
    other_line = _line_id(api, other)
    assert _patch(api, tenant, other_line, 404, retired=True)["error"]["code"] == "unknown_line"
    assert _patch(api, tenant, line_id, 404, org_id=other.org_id)["error"]["code"] == "not_found"
    assert _patch(api, tenant, line_id, 422, employee_name="")["error"]["code"] == "invalid_request"
    assert _patch(api, tenant, line_id, 422, color="red")["error"]["code"] == "invalid_request"
    assert _patch(api, tenant, 10**20, 422, retired=True)["error"]["code"] == "out_of_range"
    # The operator sees both enterprises, and still may not move a line between them.
    moved = api.call(
        "PATCH",
        f"/api/v1/orgs/{tenant.org_id}/lines/{line_id}",
        api.operator_key,
        422,
        json={"org_id": other.org_id},
    )
    assert moved["error"]["code"] == "other_enterprise"
    messaging = api.call(
        "POST",
        f"/api/v1/orgs/{tenant.org_id}/api-keys",
        tenant.key,
        201,
        json={"name": "app", "privileges": ["messaging"]},
    )["key"]
    path = f"/api/v1/orgs/{tenant.org_id}/lines/{line_id}"
    api.call("PATCH", path, messaging, 403, json={"retired": True})
    lines = api.call("GET", f"/api/v1/orgs/{tenant.org_id}/lines", tenant.key, 200)["items"]
    assert lines == [
        {
            "id": line_id,
            "number": tenant.line,
            "employee_name": tenant.employee,
            "org_id": tenant.org_id,
            "retired": False,
        }
    ]
    assert [c["action"] for c in _actions(api, tenant)] == ["line.created"]
