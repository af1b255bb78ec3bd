"""Carrier settings through the API: stored server-side, shown only as set or not set."""

from __future__ import annotations

import logging

import pytest

from tests.integration.carriers.conftest import (
    ACCESS_TOKEN,
    ACCOUNT_SID,
    APP_SECRET,
    AUTH_TOKEN,
    LINE,
    PHONE_NUMBER_ID,
    Carrier,
    twilio_inbound,
)


def test_secrets_are_never_returned_only_whether_they_are_set(carrier: Carrier) -> None:
    answer = carrier.providers(
        twilio={"account_sid": ACCOUNT_SID, "auth_token": AUTH_TOKEN, "lines": [LINE]},
        whatsapp={"access_token": ACCESS_TOKEN, "app_secret": APP_SECRET},
    )
    shown = carrier.api.call(
        "GET", f"/api/v1/orgs/{carrier.tenant.org_id}/providers", carrier.tenant.key, 200
    )
    assert shown == answer
    assert shown["twilio"] == {
        "account_sid": ACCOUNT_SID,
        "lines": [LINE],
        "auth_token_set": True,
    }
    assert shown["whatsapp"]["access_token_set"] is True
    assert shown["whatsapp"]["verify_token_set"] is False
    assert shown["employee_app"] == {"url": None, "signing_secret_set": False}
    history = carrier.api.call(
        "GET", f"/api/v1/orgs/{carrier.tenant.org_id}/settings/history", carrier.tenant.key, 200
    )
    text = str(shown) + str(history)
    for secret in (AUTH_TOKEN, ACCESS_TOKEN, APP_SECRET):
        assert secret not in text
    assert {"setting": "providers.twilio.auth_token", "new_value": "(set)"}.items() <= next(
        h for h in history if h["setting"] == "providers.twilio.auth_token"
    ).items()


@pytest.mark.parametrize(
    ("patch", "fragment"),
    [
        ({"twilio": {"lines": [LINE]}}, "account_sid"),
        ({"twilio": {"account_sid": "XX1", "auth_token": "t"}}, "starting with AC"),
        (
            {"twilio": {"account_sid": ACCOUNT_SID, "auth_token": "t", "lines": ["+15550009999"]}},
            "not a line of this organization",
        ),
        ({"whatsapp": {"lines": {LINE: PHONE_NUMBER_ID}}}, "access_token"),
        ({"whatsapp": {"access_token": "a", "app_secret": "b", "lines": {LINE: "x"}}}, "id"),
        ({"employee_app": {"url": "ftp://app.example.com"}}, "http(s)"),
        ({"employee_app": {"url": "https://app.example.com"}}, "signing_secret"),
        ({"twilio": {"auth_token": " "}}, "non-empty"),
    ],
)
def test_incomplete_or_wrong_settings_are_refused_and_change_nothing(
    carrier: Carrier, patch: dict[str, object], fragment: str
) -> None:
    before = carrier.api.call(
        "GET", f"/api/v1/orgs/{carrier.tenant.org_id}/providers", carrier.tenant.key, 200
    )
    error = carrier.providers(422, **patch)["error"]
    assert fragment in error["message"]
    after = carrier.api.call(
        "GET", f"/api/v1/orgs/{carrier.tenant.org_id}/providers", carrier.tenant.key, 200
    )
    assert after == before


def test_only_setup_may_see_or_change_carriers_and_only_in_its_own_tree(
    carrier: Carrier,
) -> None:
    api, tenant = carrier.api, carrier.tenant
    messaging_key = api.call(
        "POST",
        f"/api/v1/orgs/{tenant.org_id}/api-keys",
        tenant.key,
        201,
        json={"name": "app", "privileges": ["messaging"]},
    )["key"]
    path = f"/api/v1/orgs/{tenant.org_id}/providers"
    assert api.call("GET", path, messaging_key, 403)["error"]["code"] == "missing_privilege"
    other = api.tenant(company="Other Bank", line="+15550001002")
    assert api.call("GET", path, other.key, 404)["error"]["code"] == "not_found"
    sub = api.call(
        "POST", "/api/v1/orgs", tenant.key, 201, json={"name": "West", "parent_id": tenant.org_id}
    )
    refused = api.call(
        "PATCH",
        f"/api/v1/orgs/{sub['id']}/providers",
        tenant.key,
        403,
        json={"twilio": {"account_sid": ACCOUNT_SID}},
    )
    assert refused["error"]["code"] == "inherited_setting"


def test_secrets_and_whole_numbers_stay_out_of_the_logs(
    carrier: Carrier, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    carrier.providers(
        twilio={"account_sid": ACCOUNT_SID, "auth_token": AUTH_TOKEN, "lines": [LINE]}
    )
    carrier.twilio_post("/webhooks/twilio", twilio_inbound("Hi", "SM" + "7" * 32))
    carrier.twilio_post("/webhooks/twilio", twilio_inbound("Hi", "SM" + "8" * 32), token="bad")
    carrier.deliver()
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "wrong signature" in logged  # something was logged, and it was safe
    assert AUTH_TOKEN not in logged
    assert "5557770001" not in logged
