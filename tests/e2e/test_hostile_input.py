"""Hostile bytes and numbers are a clear 422 naming the field, on both databases; nothing
is stored. Lines of another tenant are refused like any other unusable number."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from consentline.app import create_app
from consentline.config import Config
from tests.helpers import Api, FakeClock

BAD_TEXT = ["\x00", "\ud800", "\ufffe"]


def _send(client: TestClient, method: str, path: str, payload: Any, key: str) -> Any:
    """JSON as an attacker writes it: lone surrogates as \\u escapes (which httpx refuses)."""
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    return client.request(method, path, content=json.dumps(payload), headers=headers)


def _refused(response: Any, field: str) -> str:
    assert response.status_code == 422, (response.status_code, response.text)
    message = str(response.json()["error"]["message"])
    assert field in message, message
    return message


@pytest.mark.parametrize("bad", BAD_TEXT)
def test_bad_text_in_a_message_is_422_and_not_stored(api: Api, bad: str) -> None:
    tenant = api.tenant()
    contact = "+15557770001"
    for field, payload in [
        ("body", {"from": contact, "line": tenant.line, "body": f"hi{bad}there"}),
        (
            "provider_message_id",
            {"from": contact, "line": tenant.line, "body": "hi", "provider_message_id": f"x{bad}"},
        ),
    ]:
        response = _send(api.client, "POST", "/api/v1/messages/inbound", payload, tenant.key)
        _refused(response, field)
    outbound = {"line": tenant.line, "to": [contact, f"+1555{bad}"], "body": "hello"}
    response = _send(api.client, "POST", "/api/v1/messages/outbound", outbound, tenant.key)
    _refused(response, "to.1")
    assert api.messages(tenant, contact) == []


@pytest.mark.parametrize("bad", [*BAD_TEXT, "\n", "\r", "\x1b"])
def test_names_refuse_bad_text_and_line_breaks(api: Api, bad: str) -> None:
    tenant = api.tenant()
    line = {"number": "+15550009999", "employee_name": f"Ada{bad}Lovelace"}
    path = f"/api/v1/orgs/{tenant.org_id}/lines"
    _refused(_send(api.client, "POST", path, line, tenant.key), "employee_name")
    org = {"name": f"Evil{bad}Corp"}
    _refused(_send(api.client, "POST", "/api/v1/orgs", org, api.operator_key), "name")


def test_numbers_out_of_range_are_422(api: Api) -> None:
    tenant = api.tenant()
    headers = {"Authorization": f"Bearer {tenant.key}"}
    huge = "9223372036854775807"
    for path in [
        f"/api/v1/reports/sms-optin?org={tenant.org_id}&page={huge}",
        f"/api/v1/orgs/{huge}0",
        f"/api/v1/orgs/{tenant.org_id}/settings?x={huge}9",
    ]:
        response = api.client.get(path, headers=headers)
        assert response.status_code == 422, (path, response.status_code, response.text)
    settings = {"hold_max_age": 10**30}
    response = api.client.patch(
        f"/api/v1/orgs/{tenant.org_id}/settings", json=settings, headers=headers
    )
    _refused(response, "hold_max_age")


def test_another_tenants_number_gets_the_same_answer_as_a_taken_one(api: Api) -> None:
    first = api.tenant(company="Northwind Bank", line="+15550001001")
    second = api.tenant(company="Contoso Clinic", line="+15550002002")

    def add(tenant: Any, number: str) -> Any:
        headers = {"Authorization": f"Bearer {tenant.key}"}
        body = {"number": number, "employee_name": "Grace"}
        return api.client.post(f"/api/v1/orgs/{tenant.org_id}/lines", json=body, headers=headers)

    foreign, own = add(second, "+15550001001"), add(first, "+15550001001")
    assert foreign.status_code == own.status_code == 409
    assert foreign.json() == own.json()
    assert "already a line" not in foreign.text


def test_answers_are_not_cached_and_production_sends_hsts(
    api: Api, engine: Engine, clock: FakeClock, database_url: str
) -> None:
    tenant = api.tenant()
    response = api.client.get(
        f"/api/v1/orgs/{tenant.org_id}/settings",
        headers={"Authorization": f"Bearer {tenant.key}"},
    )
    assert response.headers["Cache-Control"] == "no-store"
    assert "Strict-Transport-Security" not in response.headers
    assert api.client.get("/login").headers["Cache-Control"] == "no-store"
    assert "no-store" not in api.client.get("/static/portal.css").headers.get("Cache-Control", "")

    config = Config(database_url=database_url, environment="production", secret_key="k" * 40)
    app = create_app(config, engine=engine, clock=clock, run_worker=False)
    with TestClient(app, base_url="https://testserver") as client:
        answer = client.get("/healthz")
    assert answer.headers["Strict-Transport-Security"].startswith("max-age=")
