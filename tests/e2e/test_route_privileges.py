"""Routes state their privilege where they are declared; refusals keep SPEC §6's answers."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel

from consentline.api.report_schemas import ConsentEvidencePublic, RevocationPage, SmsOptinPage
from consentline.service.outbox_worker import deliver_due
from consentline.store.outbox import OutboxItem
from tests.helpers import Api, Tenant

CONTACT = "+15557654321"
ORG = "/api/v1/orgs/{org}"

# (method, path, body, the privileges that may call it)
ORG_ROUTES: list[tuple[str, str, Any, set[str]]] = [
    ("GET", ORG + "/providers", None, {"setup"}),
    ("PATCH", ORG + "/providers", {"employee_app": {"url": None}}, {"setup"}),
    ("GET", ORG + "/outbox", None, {"setup"}),
    ("POST", ORG + "/outbox/1/retry", None, {"setup"}),
    ("PATCH", ORG + "/settings", {"hold_max_age": 30}, {"setup"}),
    ("GET", ORG + "/settings/history", None, {"setup", "reports"}),
    ("GET", ORG + "/lines", None, {"setup", "reports", "messaging"}),
    ("GET", ORG + "/audit-log", None, {"setup", "reports"}),
    ("PATCH", ORG + "/lines/1", {"employee_name": "Grace"}, {"setup"}),
    ("POST", ORG + "/lines", {"number": "+15550001999", "employee_name": "Grace"}, {"setup"}),
    (
        "POST",
        ORG + "/users",
        {"email": "a@example.com", "name": "A", "password": "long enough password"},
        {"setup"},
    ),
]
PRIVILEGES = ("setup", "reports", "messaging")


def _key(api: Api, tenant: Tenant, privilege: str) -> str:
    path = f"/api/v1/orgs/{tenant.org_id}/api-keys"
    body = {"name": privilege, "privileges": [privilege]}
    return str(api.call("POST", path, tenant.key, 201, json=body)["key"])


def _send(api: Api, method: str, path: str, key: str, body: Any) -> Any:
    headers = {"Authorization": f"Bearer {key}"}
    return api.client.request(method, path, headers=headers, json=body)


@pytest.mark.parametrize(("method", "path", "body", "allowed"), ORG_ROUTES)
def test_a_key_without_the_routes_privilege_gets_403_and_another_enterprises_org_404(
    api: Api, method: str, path: str, body: Any, allowed: set[str]
) -> None:
    tenant = api.tenant()
    other = api.tenant(company="Other Bank", line="+15550001002")
    for privilege in set(PRIVILEGES) - allowed:
        key = _key(api, tenant, privilege)
        own = _send(api, method, path.format(org=tenant.org_id), key, body)
        assert own.status_code == 403, (privilege, own.text)
        assert own.json()["error"]["code"] == "missing_privilege"
        # Refused or not, an organization of another enterprise does not exist for the key.
        foreign = _send(api, method, path.format(org=other.org_id), key, body)
        assert foreign.status_code == 404, (privilege, foreign.text)
        assert foreign.json()["error"]["code"] == "not_found"
        # A malformed id is still the path's validation error.
        malformed = _send(api, method, path.format(org="abc"), key, body)
        assert malformed.status_code == 422, (privilege, malformed.text)
    for privilege in allowed:
        key = _key(api, tenant, privilege)
        answer = _send(api, method, path.format(org=tenant.org_id), key, body)
        assert answer.status_code != 403, (privilege, answer.text)


def test_message_routes_need_messaging_and_the_conversation_messaging_or_reports(
    api: Api,
) -> None:
    tenant = api.tenant()
    keys = {privilege: _key(api, tenant, privilege) for privilege in PRIVILEGES}
    sends = [
        ("/api/v1/messages/outbound", {"line": tenant.line, "to": CONTACT, "body": "Hi"}),
        ("/api/v1/messages/inbound", {"line": tenant.line, "from": CONTACT, "body": "Hi"}),
    ]
    for path, body in sends:
        for privilege in ("setup", "reports"):
            refused = _send(api, "POST", path, keys[privilege], body)
            assert refused.status_code == 403, refused.text
        assert _send(api, "POST", path, keys["messaging"], body).status_code == 201
    params = {"line": tenant.line, "contact": CONTACT}
    for privilege, status in (("setup", 403), ("reports", 200), ("messaging", 200)):
        headers = {"Authorization": f"Bearer {keys[privilege]}"}
        answer = api.client.get("/api/v1/conversations", headers=headers, params=params)
        assert answer.status_code == status, (privilege, answer.text)


@pytest.mark.parametrize("path", ["sms-optin", "revocations", "consent-evidence"])
def test_reports_need_the_reports_privilege(api: Api, path: str) -> None:
    tenant = api.tenant()
    params = {"line": tenant.line, "contact": CONTACT}
    for privilege, status in (("setup", 403), ("messaging", 403), ("reports", 200)):
        headers = {"Authorization": f"Bearer {_key(api, tenant, privilege)}"}
        answer = api.client.get(f"/api/v1/reports/{path}", headers=headers, params=params)
        assert answer.status_code == status, (privilege, answer.text)


class _Down:
    name = "down"

    def send(self, item: OutboxItem) -> str | None:
        raise ConnectionError("down")


def test_an_api_retry_of_a_dead_letter_is_audited_like_the_portals(api: Api) -> None:
    tenant = api.tenant()
    api.outbound(tenant, CONTACT, "Hello")
    down = _Down()
    for _ in range(3):
        deliver_due(api.engine, {"contact": down, "employee": down}, api.clock, max_attempts=2)
        api.clock.advance(hours=1)
    base = f"/api/v1/orgs/{tenant.org_id}"
    dead = api.call("GET", f"{base}/outbox?status=dead", tenant.key, 200)["items"]
    assert dead
    item_id = dead[0]["id"]
    retried = api.call("POST", f"{base}/outbox/{item_id}/retry", tenant.key, 200)
    assert retried == {"id": item_id, "status": "pending"}
    log = api.call("GET", f"{base}/audit-log?action=outbox.retried", tenant.key, 200)["items"]
    assert [(r["target_type"], r["target_id"]) for r in log] == [("outbox_item", str(item_id))]


def _json_schema(spec: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    responses = spec["paths"][path][method]["responses"]
    answer = next(r for code, r in responses.items() if code.startswith("2"))
    schema: dict[str, Any] = answer["content"]["application/json"]["schema"]
    return schema.get("items", schema)


@pytest.mark.parametrize(
    ("method", "path", "model"),
    [
        ("post", "/api/v1/messages/outbound", "MessageResultPublic"),
        ("post", "/api/v1/messages/inbound", "MessageResultPublic"),
        ("get", "/api/v1/conversations", "ConversationPublic"),
        ("get", "/api/v1/orgs/{org_id}/settings", "SettingsPublic"),
        ("patch", "/api/v1/orgs/{org_id}/settings", "SettingsPublic"),
        ("get", "/api/v1/orgs/{org_id}/settings/history", "SettingChangePublic"),
        ("get", "/api/v1/orgs/{org_id}/providers", "ProvidersPublic"),
        ("patch", "/api/v1/orgs/{org_id}/providers", "ProvidersPublic"),
        ("get", "/api/v1/orgs/{org_id}/outbox", "OutboxPage"),
        ("post", "/api/v1/orgs/{org_id}/outbox/{item_id}/retry", "RetriedPublic"),
        ("put", "/api/v1/orgs/{org_id}/entitlements", "EntitlementsPublic"),
        ("get", "/api/v1/orgs/{org_id}/lines", "LinePage"),
        ("get", "/api/v1/orgs/{org_id}/audit-log", "AuditLogPage"),
        ("get", "/api/v1/reports/sms-optin", "SmsOptinPage"),
        ("get", "/api/v1/reports/revocations", "RevocationPage"),
        ("get", "/api/v1/reports/consent-evidence", "ConsentEvidencePublic"),
        ("get", "/api/v1/simulator/deliveries", "DeliveriesPublic"),
    ],
)
def test_the_openapi_document_names_the_model_of_each_answer(
    api: Api, method: str, path: str, model: str
) -> None:
    spec = api.client.get("/openapi.json").json()
    assert _json_schema(spec, method, path) == {"$ref": f"#/components/schemas/{model}"}
    assert spec["components"]["schemas"][model]["properties"]


def test_the_report_models_describe_every_field_of_real_answers(api: Api) -> None:
    tenant = api.tenant()
    for body in ("Hi", "YES", "STOP"):
        api.inbound(tenant, CONTACT, body)
    api.deliver()
    headers = {"Authorization": f"Bearer {tenant.key}"}
    answers: list[tuple[type[BaseModel], str, dict[str, str]]] = [
        (SmsOptinPage, "sms-optin", {}),
        (RevocationPage, "revocations", {}),
        (ConsentEvidencePublic, "consent-evidence", {"line": tenant.line, "contact": CONTACT}),
    ]
    for model, path, params in answers:
        body = api.client.get(f"/api/v1/reports/{path}", headers=headers, params=params).json()
        # Nothing in the answer that the model leaves out, nothing the model adds.
        assert model.model_validate(body).model_dump(exclude_unset=True) == body, path
