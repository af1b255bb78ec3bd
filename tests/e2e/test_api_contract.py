"""SPEC §6: the HTTP API contract, its errors, and that bad input changes nothing."""

from __future__ import annotations

import re
from typing import Any, Protocol

import pytest

from tests.e2e.support import (
    CONTACT,
    MT_REQUEST,
    MT_REQUESTED_NOTICE,
    OTHER_CONTACT,
    deliveries,
    phones,
)
from tests.helpers import Api, Tenant


class Response(Protocol):
    """What the tests read of an HTTP answer."""

    @property
    def status_code(self) -> int: ...

    @property
    def text(self) -> str: ...

    def json(self) -> Any: ...


NOT_ENTITLED = "SMS Opt-in is not enabled for this organization by the service provider"


def _request(api: Api, method: str, path: str, key: str | None, **kwargs: Any) -> Response:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    headers.update(kwargs.pop("headers", {}))
    return api.client.request(method, path, headers=headers, **kwargs)


def _error(response: Response, status: int) -> dict[str, str]:
    """The answer is ``{"error": {"code", "message"}}`` with this status."""
    assert response.status_code == status, (response.status_code, response.text)
    body = response.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert set(error) == {"code", "message"}, error
    assert isinstance(error["code"], str)
    assert error["code"]
    assert isinstance(error["message"], str)
    assert error["message"]
    return dict(error)


def _key(api: Api, tenant: Tenant, *privileges: str, org_id: int | None = None) -> str:
    answer = api.call(
        "POST",
        f"/api/v1/orgs/{org_id or tenant.org_id}/api-keys",
        tenant.key,
        201,
        json={"name": "+".join(privileges), "privileges": list(privileges)},
    )
    return str(answer["key"])


def _sub_org(api: Api, tenant: Tenant, name: str = "West Region", parent: int | None = None) -> Any:
    return api.call(
        "POST",
        "/api/v1/orgs",
        tenant.key,
        201,
        json={"name": name, "parent_id": parent or tenant.org_id},
    )


def _get_settings(api: Api, tenant: Tenant, org_id: int | None = None) -> Any:
    return api.call("GET", f"/api/v1/orgs/{org_id or tenant.org_id}/settings", tenant.key, 200)


def _history(api: Api, tenant: Tenant) -> list[dict[str, Any]]:
    return list(api.call("GET", f"/api/v1/orgs/{tenant.org_id}/settings/history", tenant.key, 200))


def _snapshot(api: Api, tenant: Tenant, contact: str = CONTACT) -> tuple[Any, Any]:
    """The conversation and everything delivered for it so far."""
    return api.conversation(tenant, contact), deliveries(api, tenant, contact)


# --- 400 / 401 ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/v1/messages/inbound"),
        ("POST", "/api/v1/messages/outbound"),
        ("POST", "/api/v1/orgs"),
        ("PATCH", "/api/v1/orgs/{org}/settings"),
        ("POST", "/api/v1/orgs/{org}/lines"),
    ],
)
def test_bad_json_is_400_with_the_error_shape(api: Api, method: str, path: str) -> None:
    """§6: a body that is not JSON answers 400 {"error": {"code", "message"}}."""
    tenant = api.tenant()
    before = _get_settings(api, tenant)

    response = _request(
        api,
        method,
        path.format(org=tenant.org_id),
        tenant.key,
        content=b'{"line": "+15550001001", "body": ',
        headers={"Content-Type": "application/json"},
    )

    _error(response, 400)
    assert _get_settings(api, tenant) == before


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer cl_not-a-real-key", "Bearer ", "Basic dXNlcjpwYXNz", "cl_no-scheme"],
    ids=["missing", "unknown-key", "empty-bearer", "basic", "no-scheme"],
)
@pytest.mark.parametrize(
    ("method", "path", "payload"),
    [
        (
            "POST",
            "/api/v1/messages/inbound",
            {"from": CONTACT, "line": "+15550001001", "body": "x"},
        ),
        ("POST", "/api/v1/messages/outbound", {"to": CONTACT, "line": "+15550001001", "body": "x"}),
        ("GET", "/api/v1/orgs/{org}/settings", None),
        ("PATCH", "/api/v1/orgs/{org}/settings", {"hold_max_age": 60}),
        ("POST", "/api/v1/orgs", {"name": "Intruder Inc"}),
    ],
)
def test_missing_or_invalid_key_is_401(
    api: Api, authorization: str | None, method: str, path: str, payload: Any
) -> None:
    """§6: no key, or a key that is not valid, answers 401 and changes nothing."""
    tenant = api.tenant()
    before = _snapshot(api, tenant), _get_settings(api, tenant)
    headers = {"Authorization": authorization} if authorization else {}

    response = api.client.request(
        method, path.format(org=tenant.org_id), headers=headers, json=payload
    )

    _error(response, 401)
    assert (_snapshot(api, tenant), _get_settings(api, tenant)) == before


def test_conversation_without_key_is_401(api: Api) -> None:
    """§6: reading a conversation needs a key."""
    tenant = api.tenant()

    response = api.client.get(
        "/api/v1/conversations", params={"line": tenant.line, "contact": CONTACT}
    )

    _error(response, 401)


# --- 403 ------------------------------------------------------------------------------------


@pytest.mark.parametrize("privileges", [("reports",), ("setup",), ("reports", "setup")])
def test_messages_need_the_messaging_privilege(api: Api, privileges: tuple[str, ...]) -> None:
    """§6: messages need `messaging`; without it 403 and nothing is stored or sent."""
    tenant = api.tenant()
    key = _key(api, tenant, *privileges)

    inbound = _request(
        api,
        "POST",
        "/api/v1/messages/inbound",
        key,
        json={"from": CONTACT, "line": tenant.line, "body": "Hello"},
    )
    outbound = _request(
        api,
        "POST",
        "/api/v1/messages/outbound",
        key,
        json={"to": CONTACT, "line": tenant.line, "body": "Hello"},
    )

    _error(inbound, 403)
    _error(outbound, 403)
    conversation = api.conversation(tenant, CONTACT)
    assert conversation["messages"] == []
    assert conversation["consent"]["state"] == "none"
    assert phones(api, tenant) == ([], [])


@pytest.mark.parametrize("privilege", ["messaging", "reports"])
def test_conversations_need_messaging_or_reports(api: Api, privilege: str) -> None:
    """§6: conversations need `messaging` or `reports`."""
    tenant = api.tenant()
    api.inbound(tenant, CONTACT, "Hello")
    key = _key(api, tenant, privilege)

    response = _request(
        api, "GET", "/api/v1/conversations", key, params={"line": tenant.line, "contact": CONTACT}
    )

    assert response.status_code == 200
    assert response.json()["messages"][0]["body"] == "Hello"


def test_conversations_with_only_setup_are_403(api: Api) -> None:
    """§6: conversations need `messaging` or `reports`; `setup` alone is refused."""
    tenant = api.tenant()
    key = _key(api, tenant, "setup")

    response = _request(
        api, "GET", "/api/v1/conversations", key, params={"line": tenant.line, "contact": CONTACT}
    )

    _error(response, 403)


@pytest.mark.parametrize(
    ("method", "path", "payload"),
    [
        ("PATCH", "/api/v1/orgs/{org}/settings", {"hold_max_age": 60}),
        ("POST", "/api/v1/orgs/{org}/lines", {"number": "+15550009999", "employee_name": "Eve"}),
        ("POST", "/api/v1/orgs/{org}/api-keys", {"name": "more", "privileges": ["setup"]}),
        (
            "POST",
            "/api/v1/orgs/{org}/users",
            {
                "email": "eve@northwind.test",
                "name": "Eve",
                "password": "correct horse battery",
                "privileges": ["setup"],
            },
        ),
        ("POST", "/api/v1/orgs", {"name": "Shadow Region", "parent_id": "{org}"}),
    ],
)
@pytest.mark.parametrize("privileges", [("messaging",), ("reports", "messaging")])
def test_setup_actions_need_the_setup_privilege(
    api: Api, method: str, path: str, payload: dict[str, Any], privileges: tuple[str, ...]
) -> None:
    """§6: settings changes, lines, users and keys need `setup` (sub-orgs too, §6 table)."""
    tenant = api.tenant()
    key = _key(api, tenant, *privileges)
    body = {k: (tenant.org_id if v == "{org}" else v) for k, v in payload.items()}
    before = _get_settings(api, tenant), _history(api, tenant)

    response = _request(api, method, path.format(org=tenant.org_id), key, json=body)

    _error(response, 403)
    assert (_get_settings(api, tenant), _history(api, tenant)) == before
    # Nothing was created: the refused number can still become a line.
    if path.endswith("/lines"):
        api.call("POST", f"/api/v1/orgs/{tenant.org_id}/lines", tenant.key, 201, json=body)


def test_non_operator_creating_a_root_organization_is_403(api: Api) -> None:
    """§6: only the operator creates root organizations."""
    tenant = api.tenant()

    response = _request(api, "POST", "/api/v1/orgs", tenant.key, json={"name": "Contoso"})

    _error(response, 403)


def test_non_operator_granting_the_entitlement_is_403(api: Api) -> None:
    """§2/§6: `sms_optin.entitled` is operator only, by PUT entitlements or by PATCH."""
    tenant = api.tenant(entitled=False)

    put = _request(
        api,
        "PUT",
        f"/api/v1/orgs/{tenant.org_id}/entitlements",
        tenant.key,
        json={"sms_optin": True},
    )
    patch = _request(
        api,
        "PATCH",
        f"/api/v1/orgs/{tenant.org_id}/settings",
        tenant.key,
        json={"sms_optin": {"entitled": True}},
    )

    _error(put, 403)
    _error(patch, 403)
    assert _get_settings(api, tenant)["sms_optin"]["entitled"] is False


def test_settings_change_on_a_sub_organization_is_403_inherited_setting(api: Api) -> None:
    """§1/§6: a settings change on a sub-organization is refused, 403 `inherited_setting`,
    with a message naming the root organization."""
    tenant = api.tenant()
    sub = _sub_org(api, tenant)
    before = _get_settings(api, tenant), _history(api, tenant)

    response = _request(
        api,
        "PATCH",
        f"/api/v1/orgs/{sub['id']}/settings",
        tenant.key,
        json={"sms_optin": {"mode": "disclaimer"}},
    )

    error = _error(response, 403)
    assert error["code"] == "inherited_setting"
    assert "Northwind Bank" in error["message"]
    assert (_get_settings(api, tenant), _history(api, tenant)) == before


def test_sub_organization_admin_changing_settings_is_403_inherited_setting(api: Api) -> None:
    """§1/§6: a Setup key of the sub-organization itself is refused too, naming the root."""
    tenant = api.tenant()
    sub = _sub_org(api, tenant)
    sub_key = _key(api, tenant, "setup", "messaging", "reports", org_id=sub["id"])

    response = _request(
        api,
        "PATCH",
        f"/api/v1/orgs/{sub['id']}/settings",
        sub_key,
        json={"group_messaging": {"enabled": True}},
    )

    error = _error(response, 403)
    assert error["code"] == "inherited_setting"
    assert "Northwind Bank" in error["message"]
    settings = api.call("GET", f"/api/v1/orgs/{sub['id']}/settings", sub_key, 200)
    assert settings["inherited_from"] == {"id": tenant.org_id, "name": "Northwind Bank"}
    assert settings["group_messaging"] == {"enabled": False}


def test_enabling_sms_optin_without_entitlement_is_403_with_the_spec_message(api: Api) -> None:
    """§1: not entitled → 403, "SMS Opt-in is not enabled for this organization by the
    service provider"."""
    tenant = api.tenant(entitled=False)

    responses = [
        _request(
            api,
            "PATCH",
            f"/api/v1/orgs/{tenant.org_id}/settings",
            tenant.key,
            json={"sms_optin": patch},
        )
        for patch in (
            {"enabled": True},
            {"mode": "disclaimer"},
            {"enabled": True, "mode": "consent"},
        )
    ]

    for response in responses:
        assert _error(response, 403)["message"].rstrip(".") == NOT_ENTITLED
    settings = _get_settings(api, tenant)
    assert settings["sms_optin"] == {"entitled": False, "enabled": False, "mode": "consent"}


# --- 404: one root organization never sees another -----------------------------------------


def test_a_key_of_one_root_gets_404_for_everything_of_another(api: Api) -> None:
    """§1/§6: keys of one root organization get 404 for anything of another: its org,
    sub-org, settings, lines, keys, users, messages and conversations."""
    ours = api.tenant(company="Northwind Bank", line="+15550001001")
    theirs = api.tenant(company="Contoso Trust", employee="Grace Hopper", line="+15550002001")
    their_sub = _sub_org(api, theirs, "Contoso East")
    api.inbound(theirs, CONTACT, "Private to Contoso")
    their_before = _snapshot(api, theirs), _get_settings(api, theirs), _history(api, theirs)
    other = theirs.org_id
    their_line_id = api.call(
        "POST",
        f"/api/v1/orgs/{other}/lines",
        api.operator_key,
        201,
        json={"number": "+15550002002", "employee_name": "Alan Turing"},
    )["id"]
    probes: list[tuple[str, str, dict[str, Any]]] = [
        ("GET", f"/api/v1/orgs/{other}", {}),
        ("GET", f"/api/v1/orgs/{their_sub['id']}", {}),
        ("GET", f"/api/v1/orgs/{other}/settings", {}),
        ("GET", f"/api/v1/orgs/{other}/settings/history", {}),
        ("PATCH", f"/api/v1/orgs/{other}/settings", {"json": {"hold_max_age": 60}}),
        ("PATCH", f"/api/v1/orgs/{their_sub['id']}/settings", {"json": {"hold_max_age": 60}}),
        (
            "POST",
            f"/api/v1/orgs/{other}/lines",
            {"json": {"number": "+15550002999", "employee_name": "Mallory"}},
        ),
        (
            "POST",
            f"/api/v1/orgs/{other}/api-keys",
            {"json": {"name": "stolen", "privileges": ["setup"]}},
        ),
        (
            "POST",
            f"/api/v1/orgs/{other}/users",
            {
                "json": {
                    "email": "mallory@northwind.test",
                    "name": "Mallory",
                    "password": "correct horse battery",
                    "privileges": ["setup"],
                }
            },
        ),
        ("POST", "/api/v1/orgs", {"json": {"name": "Implant", "parent_id": other}}),
        (
            "POST",
            "/api/v1/messages/outbound",
            {"json": {"line": theirs.line, "to": CONTACT, "body": "from the wrong tenant"}},
        ),
        (
            "POST",
            "/api/v1/messages/inbound",
            {"json": {"line": theirs.line, "from": CONTACT, "body": "to the wrong tenant"}},
        ),
        (
            "GET",
            "/api/v1/conversations",
            {"params": {"line": theirs.line, "contact": CONTACT}},
        ),
        (
            "POST",
            "/api/v1/messages/outbound",
            {"json": {"line": their_line_id, "to": CONTACT, "body": "by line id"}},
        ),
        (
            "POST",
            "/api/v1/messages/inbound",
            {"json": {"line": their_line_id, "from": CONTACT, "body": "by line id"}},
        ),
        (
            "GET",
            "/api/v1/conversations",
            {"params": {"line": str(their_line_id), "contact": CONTACT}},
        ),
    ]

    for method, path, kwargs in probes:
        response = _request(api, method, path, ours.key, **kwargs)
        _error(response, 404)
        assert "Contoso" not in response.text, (method, path)

    assert (_snapshot(api, theirs), _get_settings(api, theirs), _history(api, theirs)) == (
        their_before
    )


def test_a_root_key_sees_its_own_sub_organizations(api: Api) -> None:
    """§1/§6: a root organization's own key sees its whole tree (GET of a sub-org is 200)."""
    tenant = api.tenant()
    sub = _sub_org(api, tenant)

    org = api.call("GET", f"/api/v1/orgs/{sub['id']}", tenant.key, 200)

    assert org == {
        "id": sub["id"],
        "name": "West Region",
        "parent_id": tenant.org_id,
        "root_id": tenant.org_id,
    }


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/api/v1/orgs/987654"), ("GET", "/api/v1/no-such-route")],
)
def test_unknown_organization_or_route_is_404_with_the_error_shape(
    api: Api, method: str, path: str
) -> None:
    """§6: errors are {"error": {"code", "message"}} for a 404 too."""
    tenant = api.tenant()

    _error(_request(api, method, path, tenant.key), 404)


def test_unknown_line_is_404_and_stores_nothing(api: Api) -> None:
    """§6/§8: a message or a conversation for a number that is no line is a clear 404."""
    tenant = api.tenant()
    unknown = "+15550009876"

    responses = [
        _request(
            api,
            "POST",
            "/api/v1/messages/inbound",
            tenant.key,
            json={"from": CONTACT, "line": unknown, "body": "Hello?"},
        ),
        _request(
            api,
            "POST",
            "/api/v1/messages/outbound",
            tenant.key,
            json={"to": CONTACT, "line": unknown, "body": "Hello?"},
        ),
        _request(
            api,
            "GET",
            "/api/v1/conversations",
            tenant.key,
            params={"line": unknown, "contact": CONTACT},
        ),
    ]

    for response in responses:
        _error(response, 404)
    assert api.conversation(tenant, CONTACT)["messages"] == []
    assert phones(api, tenant) == ([], [])


@pytest.mark.parametrize(
    ("direction", "payload"),
    [
        ("inbound", {"from": CONTACT, "body": "no line"}),
        ("inbound", {"from": CONTACT, "line": "+15550001001"}),
        ("inbound", {"from": CONTACT, "line": "+15550001001", "body": 42}),
        ("inbound", {"from": CONTACT, "line": "+15550001001", "body": "x", "channel": "mms"}),
        ("inbound", {"from": CONTACT, "line": "+15550001001", "body": "x", "urgent": True}),
        (
            "inbound",
            {"from": CONTACT, "line": "+15550001001", "body": "x", "provider_message_id": ""},
        ),
        ("outbound", {"to": [], "line": "+15550001001", "body": "nobody"}),
        ("outbound", {"line": "+15550001001", "body": "no recipient"}),
        ("outbound", {"to": CONTACT, "line": "+15550001001", "body": None}),
        ("outbound", {"to": CONTACT, "line": "+15550001001", "body": "x", "channel": "fax"}),
    ],
    ids=[
        "inbound-no-line",
        "inbound-no-body",
        "inbound-body-not-text",
        "inbound-unknown-channel",
        "inbound-unknown-field",
        "inbound-empty-provider-id",
        "outbound-empty-group",
        "outbound-no-recipient",
        "outbound-null-body",
        "outbound-unknown-channel",
    ],
)
def test_malformed_message_request_is_422_and_changes_nothing(
    api: Api, direction: str, payload: dict[str, Any]
) -> None:
    """§6/§8: a malformed message request gets a clear 422 and changes nothing."""
    tenant = api.tenant(mode="disclaimer", group=True)
    api.inbound(tenant, CONTACT, "Hi")
    before = _snapshot(api, tenant)

    response = _request(api, "POST", f"/api/v1/messages/{direction}", tenant.key, json=payload)

    _error(response, 422)
    assert _snapshot(api, tenant) == before


# --- 409 ------------------------------------------------------------------------------------


def test_enabling_group_messaging_while_consent_mode_is_on_is_409(api: Api) -> None:
    """§2: group messaging is mutually exclusive with consent mode; 409 says why."""
    tenant = api.tenant(mode="consent")
    before = _get_settings(api, tenant), _history(api, tenant)

    response = _request(
        api,
        "PATCH",
        f"/api/v1/orgs/{tenant.org_id}/settings",
        tenant.key,
        json={"group_messaging": {"enabled": True}},
    )

    message = _error(response, 409)["message"].lower()
    assert "group" in message
    assert "consent" in message
    assert (_get_settings(api, tenant), _history(api, tenant)) == before


@pytest.mark.parametrize(
    ("start", "patch"),
    [
        ({"mode": "disclaimer"}, {"sms_optin": {"mode": "consent"}}),
        ({"enabled": False}, {"sms_optin": {"enabled": True, "mode": "consent"}}),
        ({"enabled": False}, {"sms_optin": {"enabled": True}}),
    ],
    ids=["disclaimer-to-consent", "disabled-to-consent", "enable-default-consent"],
)
def test_enabling_consent_mode_while_group_messaging_is_on_is_409(
    api: Api, start: dict[str, Any], patch: dict[str, Any]
) -> None:
    """§2: the other direction: consent mode while group messaging is on is refused."""
    tenant = api.tenant(
        group=True, mode=start.get("mode", "consent"), enabled=start.get("enabled", True)
    )
    before = _get_settings(api, tenant), _history(api, tenant)

    response = _request(
        api, "PATCH", f"/api/v1/orgs/{tenant.org_id}/settings", tenant.key, json=patch
    )

    message = _error(response, 409)["message"].lower()
    assert "group" in message
    assert "consent" in message
    assert (_get_settings(api, tenant), _history(api, tenant)) == before


def test_duplicate_line_is_409(api: Api) -> None:
    """§6: a number that is already a line (in any format) cannot be added again."""
    tenant = api.tenant(line="+15550001001")

    response = _request(
        api,
        "POST",
        f"/api/v1/orgs/{tenant.org_id}/lines",
        tenant.key,
        json={"number": "(555) 000-1001", "employee_name": "Someone Else"},
    )

    _error(response, 409)


def test_duplicate_user_email_is_409(api: Api) -> None:
    """§6: POST users creates a portal login; the same email again is refused."""
    tenant = api.tenant()
    login = {
        "email": "grace@northwind.test",
        "name": "Grace Admin",
        "password": "a long enough password",
        "privileges": ["setup", "reports"],
    }

    created = api.call("POST", f"/api/v1/orgs/{tenant.org_id}/users", tenant.key, 201, json=login)
    again = _request(
        api,
        "POST",
        f"/api/v1/orgs/{tenant.org_id}/users",
        tenant.key,
        json={**login, "email": "Grace@Northwind.test", "name": "Grace Again"},
    )

    assert set(created) == {"id", "email", "name", "privileges"}
    assert created["email"] == "grace@northwind.test"
    assert created["name"] == "Grace Admin"
    assert sorted(created["privileges"]) == ["reports", "setup"]
    assert isinstance(created["id"], int)
    _error(again, 409)


# --- 422: message bodies --------------------------------------------------------------------


@pytest.mark.parametrize("body", ["", "   ", "\n\t"])
@pytest.mark.parametrize("direction", ["inbound", "outbound"])
def test_empty_body_is_422_and_changes_nothing(api: Api, body: str, direction: str) -> None:
    """§6: an empty body is 422; the conversation is unchanged, nothing is delivered."""
    tenant = api.tenant()
    api.inbound(tenant, CONTACT, "Hi")
    before = _snapshot(api, tenant)

    response = _send(api, tenant, direction, body)

    _error(response, 422)
    assert _snapshot(api, tenant) == before


@pytest.mark.parametrize(
    ("channel", "limit"), [("sms", 1600), ("whatsapp", 4096)], ids=["sms", "whatsapp"]
)
@pytest.mark.parametrize("direction", ["inbound", "outbound"])
def test_body_over_the_channel_limit_is_422(
    api: Api, channel: str, limit: int, direction: str
) -> None:
    """§6: over 1,600 characters (SMS) / 4,096 (WhatsApp) is 422; the limit itself is fine."""
    tenant = api.tenant(enabled=False)
    before = _snapshot(api, tenant) if channel == "sms" else None

    refused = _send(api, tenant, direction, "x" * (limit + 1), channel=channel)

    _error(refused, 422)
    if before is not None:
        assert _snapshot(api, tenant) == before
    assert api.conversation(tenant, CONTACT, channel)["messages"] == []
    accepted = _send(api, tenant, direction, "y" * limit, channel=channel)
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["status"] == "delivered"


@pytest.mark.parametrize("char", ["é", "€", "😀"])
def test_body_limit_counts_characters_not_bytes(api: Api, char: str) -> None:
    """§6: the limit is 1,600 *characters*: 1,600 non-ASCII characters are accepted."""
    tenant = api.tenant(enabled=False)

    answer = api.outbound(tenant, CONTACT, char * 1600)

    assert answer["status"] == "delivered"
    assert phones(api, tenant)[0] == [char * 1600]


def test_whatsapp_accepts_a_body_longer_than_the_sms_limit(api: Api) -> None:
    """§6: 1,601 characters is too long for SMS but fine for WhatsApp."""
    tenant = api.tenant(enabled=False)

    answer = api.outbound(tenant, CONTACT, "z" * 1601, channel="whatsapp")

    assert answer["status"] == "delivered"


def _send(api: Api, tenant: Tenant, direction: str, body: str, **extra: Any) -> Response:
    if direction == "inbound":
        payload = {"from": CONTACT, "line": tenant.line, "body": body, **extra}
    else:
        payload = {"to": CONTACT, "line": tenant.line, "body": body, **extra}
    return _request(api, "POST", f"/api/v1/messages/{direction}", tenant.key, json=payload)


# --- 422: phone numbers ---------------------------------------------------------------------

MALFORMED_NUMBERS = [
    "not a number",
    "12",
    "+1 555",
    "",
    "   ",
    "+15557770001999999",
    "555-CALL-NOW-PLEASE",
]


@pytest.mark.parametrize("number", MALFORMED_NUMBERS)
def test_malformed_contact_number_is_422_and_changes_nothing(api: Api, number: str) -> None:
    """§6/§8: malformed numbers, inbound `from`, outbound `to`, a group member, or the
    conversation query, are 422; nothing is stored or sent."""
    tenant = api.tenant(mode="disclaimer", group=True)
    api.inbound(tenant, CONTACT, "Hi")
    before = _snapshot(api, tenant)
    refused = [
        _request(
            api,
            "POST",
            "/api/v1/messages/inbound",
            tenant.key,
            json={"from": number, "line": tenant.line, "body": "Hello"},
        ),
        _request(
            api,
            "POST",
            "/api/v1/messages/outbound",
            tenant.key,
            json={"to": number, "line": tenant.line, "body": "Hello"},
        ),
        _request(
            api,
            "POST",
            "/api/v1/messages/outbound",
            tenant.key,
            json={"to": [CONTACT, number], "line": tenant.line, "body": "Hello all"},
        ),
        _request(
            api,
            "GET",
            "/api/v1/conversations",
            tenant.key,
            params={"line": tenant.line, "contact": number},
        ),
    ]

    for response in refused:
        _error(response, 422)
    assert _snapshot(api, tenant) == before


@pytest.mark.parametrize("number", MALFORMED_NUMBERS)
def test_malformed_line_number_is_422(api: Api, number: str) -> None:
    """§6: a line's number must be a phone number."""
    tenant = api.tenant()

    response = _request(
        api,
        "POST",
        f"/api/v1/orgs/{tenant.org_id}/lines",
        tenant.key,
        json={"number": number, "employee_name": "Nobody"},
    )

    _error(response, 422)


# --- 422: settings --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "patch",
    [
        {"templates": {"mt_request": "Hi, <Customer Name> wants to reach you. Reply YES."}},
        {"templates": {"disclaimer": "From <Employee Name> at <Company>. Reply STOP."}},
        {"templates": {"no_such_template": "Hello"}},
        {"keywords": {"opt_in": "STOP"}},
        {"keywords": {"opt_in": "cancel"}},
        {"keywords": {"opt_in": "Opt-Out"}},
        {"keywords": {"opt_in_synonyms": ["START", "QUIT"]}},
        {"keywords": {"opt_out": "YES"}},
        {"keywords": {"opt_out_synonyms": ["UNSTOP"]}},
        {"colour": "blue"},
        {"sms_optin": {"enabled": True, "colour": "blue"}},
        {"keywords": {"opt_in": "YES", "stop_word": "HALT"}},
        {"group_messaging": {"enabled": False, "size": 3}},
        {"sms_optin": {"mode": "loose"}},
        {"hold_max_age": "a week"},
    ],
    ids=[
        "unknown-placeholder",
        "unknown-placeholder-company",
        "unknown-template",
        "opt-in-equals-opt-out",
        "opt-in-equals-opt-out-synonym",
        "opt-in-equals-opt-out-synonym-spelled",
        "opt-in-synonym-equals-opt-out-synonym",
        "opt-out-equals-opt-in",
        "opt-out-synonym-equals-opt-in-synonym",
        "unknown-top-level-key",
        "unknown-sms-optin-key",
        "unknown-keywords-key",
        "unknown-group-key",
        "unknown-mode",
        "duration-not-a-number",
    ],
)
def test_invalid_settings_are_422_and_change_nothing(api: Api, patch: dict[str, Any]) -> None:
    """§2/§4/§6: unknown placeholder, opt-in word that is an opt-out word, unknown keys:
    422, settings and history unchanged."""
    tenant = api.tenant(mode="disclaimer")
    before = _get_settings(api, tenant), _history(api, tenant)

    response = _request(
        api, "PATCH", f"/api/v1/orgs/{tenant.org_id}/settings", tenant.key, json=patch
    )

    _error(response, 422)
    assert (_get_settings(api, tenant), _history(api, tenant)) == before


def test_valid_template_and_keyword_change_is_used_verbatim(api: Api) -> None:
    """§2/§4: a saved template with known placeholders and a changed opt-in word are used;
    the old YES no longer opts in."""
    tenant = api.tenant(mode="consent")
    answer = api.settings(
        tenant,
        keywords={"opt_in": "AGREE"},
        templates={
            "mt_request": "<Employee Name> at <Company Name> needs your OK: reply "
            "<Opt-in Text> or <Opt-out Text>."
        },
    )
    assert answer["keywords"]["opt_in"] == "AGREE"

    api.inbound(tenant, CONTACT, "Hello")
    assert api.inbound(tenant, CONTACT, "YES")["status"] == "held"
    decision = api.inbound(tenant, CONTACT, "agree")

    assert decision["consent"]["state"] == "opted_in"
    contact_phone, _ = phones(api, tenant)
    assert contact_phone[0] == "Ada Lovelace at Northwind Bank needs your OK: reply AGREE or STOP."


# --- phone numbers in common formats ---------------------------------------------------------


def test_line_number_in_a_common_format_is_stored_as_e164(api: Api) -> None:
    """§6: numbers are accepted in common formats and returned as E.164."""
    tenant = api.tenant()

    line = api.call(
        "POST",
        f"/api/v1/orgs/{tenant.org_id}/lines",
        tenant.key,
        201,
        json={"number": "(555) 000-2002", "employee_name": " Grace Hopper "},
    )

    assert set(line) == {"id", "number", "employee_name", "org_id"}
    assert line["number"] == "+15550002002"
    assert line["employee_name"] == "Grace Hopper"
    assert line["org_id"] == tenant.org_id


@pytest.mark.parametrize(
    "written",
    ["555.777.0001", "+1 (555) 777-0001", "1-555-777-0001", "(555) 777 0001", "+15557770001"],
)
def test_contact_numbers_in_common_formats_are_one_e164_conversation(
    api: Api, written: str
) -> None:
    """§6: a contact written in any common format is the same E.164 conversation."""
    tenant = api.tenant(enabled=False)
    api.inbound(tenant, "+15557770001", "first")

    api.call(
        "POST",
        "/api/v1/messages/inbound",
        tenant.key,
        201,
        json={"from": written, "line": "(555) 000-1001", "body": "second"},
    )
    api.call(
        "POST",
        "/api/v1/messages/outbound",
        tenant.key,
        201,
        json={"to": written, "line": tenant.line, "body": "third"},
    )
    view = api.call(
        "GET",
        "/api/v1/conversations",
        tenant.key,
        200,
        params={"line": "555-000-1001", "contact": written},
    )

    assert view["contact"] == "+15557770001"
    assert view["line"] == "+15550001001"
    assert [m["body"] for m in view["messages"]] == ["first", "second", "third"]


def test_international_number_is_stored_as_e164(api: Api) -> None:
    """§6: a number with another country code keeps it, in E.164."""
    tenant = api.tenant(enabled=False)

    api.inbound(tenant, "+44 20 7946 0958", "Hello from London")

    view = api.conversation(tenant, "+442079460958")
    assert view["contact"] == "+442079460958"
    assert [m["body"] for m in view["messages"]] == ["Hello from London"]


# --- idempotent inbound -----------------------------------------------------------------------


def test_repeated_provider_message_id_answers_200_with_the_first_result(api: Api) -> None:
    """§6: a repeated `provider_message_id` answers 200 with the first result and changes
    nothing: the conversation is unchanged and nothing more is delivered."""
    tenant = api.tenant(mode="consent")
    first = api.inbound(tenant, CONTACT, "Hi Ada", provider_message_id="SM-0001")
    before = _snapshot(api, tenant)
    assert before[1] == [("contact", MT_REQUEST), ("employee", MT_REQUESTED_NOTICE)]
    api.clock.advance(days=2)

    for body in ("Hi Ada", "YES", "STOP"):
        response = _request(
            api,
            "POST",
            "/api/v1/messages/inbound",
            tenant.key,
            json={
                "from": CONTACT,
                "line": tenant.line,
                "body": body,
                "provider_message_id": "SM-0001",
            },
        )
        assert response.status_code == 200, response.text
        assert response.json() == first

    assert _snapshot(api, tenant) == before


def test_repeated_provider_message_id_from_another_number_changes_nothing(api: Api) -> None:
    """§6: the id is unique per root organization and channel, so a repeat answers 200 with
    the first result even when it names another sender, and no conversation appears."""
    tenant = api.tenant(mode="consent")
    first = api.inbound(tenant, CONTACT, "Hi Ada", provider_message_id="SM-7")

    repeat = api.inbound(tenant, OTHER_CONTACT, "Hello", expect=200, provider_message_id="SM-7")

    assert repeat == first
    view = api.conversation(tenant, OTHER_CONTACT)
    assert (view["consent"]["state"], view["messages"]) == ("none", [])
    assert phones(api, tenant, OTHER_CONTACT) == ([], [])


def test_repeated_provider_message_id_answers_the_first_result_after_later_changes(
    api: Api,
) -> None:
    """§6: the answer to a repeat is the first result even after the state moved on."""
    tenant = api.tenant(mode="consent")
    first = api.inbound(tenant, CONTACT, "Hi Ada", provider_message_id="SM-1")
    api.inbound(tenant, CONTACT, "YES", provider_message_id="SM-2")
    before = _snapshot(api, tenant)

    repeat = api.inbound(tenant, CONTACT, "Hi Ada", expect=200, provider_message_id="SM-1")

    assert repeat == first
    assert repeat["consent"]["state"] == "pending"
    assert _snapshot(api, tenant) == before
    assert before[0]["consent"]["state"] == "opted_in"


def test_provider_message_id_is_unique_per_root_organization_and_channel(api: Api) -> None:
    """§6: the same id on another channel, or for another root organization, is new."""
    ours = api.tenant(enabled=False)
    theirs = api.tenant(company="Contoso Trust", line="+15550002001", enabled=False)

    sms = api.inbound(ours, CONTACT, "over sms", provider_message_id="X-1")
    whatsapp = api.inbound(
        ours, CONTACT, "over whatsapp", channel="whatsapp", provider_message_id="X-1"
    )
    other = api.inbound(theirs, CONTACT, "to contoso", provider_message_id="X-1")

    assert len({sms["id"], whatsapp["id"], other["id"]}) == 3
    assert [m["body"] for m in api.conversation(ours, CONTACT, "whatsapp")["messages"]] == [
        "over whatsapp"
    ]
    assert [m["body"] for m in api.conversation(theirs, CONTACT)["messages"]] == ["to contoso"]


# --- conversations --------------------------------------------------------------------------


@pytest.mark.parametrize("channel", ["sms", "whatsapp"])
def test_conversation_without_messages_is_200_state_none_empty_list(api: Api, channel: str) -> None:
    """§6: a conversation with no messages answers 200 with state none and an empty list."""
    tenant = api.tenant()

    view = api.call(
        "GET",
        "/api/v1/conversations",
        tenant.key,
        200,
        params={"line": tenant.line, "contact": OTHER_CONTACT, "channel": channel},
    )

    assert view["line"] == tenant.line
    assert view["contact"] == OTHER_CONTACT
    assert view["channel"] == channel
    assert view["consent"]["state"] == "none"
    assert view["messages"] == []


def test_conversation_view_has_the_spec_shape_oldest_first(api: Api) -> None:
    """§6: {line, contact, channel, consent: {...}, messages: [{...}]} oldest first."""
    tenant = api.tenant(mode="consent")
    api.inbound(tenant, CONTACT, "one")
    api.clock.advance(minutes=1)
    api.inbound(tenant, CONTACT, "YES")

    view = api.conversation(tenant, CONTACT)

    assert {"line", "contact", "channel", "consent", "messages"} <= set(view)
    assert {
        "state",
        "mode",
        "initiated_by",
        "requested_at",
        "decided_at",
        "evidence_message_id",
    } <= set(view["consent"])
    for message in view["messages"]:
        assert {
            "id",
            "sender",
            "recipient",
            "kind",
            "template",
            "body",
            "status",
            "created_at",
        } <= set(message)
    ids = [m["id"] for m in view["messages"]]
    assert ids == sorted(ids)
    created = [m["created_at"] for m in view["messages"]]
    assert created == sorted(created)
    assert view["messages"][0]["body"] == "one"
    assert view["messages"][-1]["template"] == "mt_accepted_notice"
    assert [m["sender"] for m in view["messages"]].count("system") == 4


# --- organizations, keys, settings ------------------------------------------------------------


def test_create_organization_tree_and_api_key(api: Api) -> None:
    """§6: POST orgs → 201 {id, name, parent_id, root_id} (operator for roots, Setup for
    sub-orgs); POST api-keys → 201 {key}, a key that works."""
    root = api.call("POST", "/api/v1/orgs", api.operator_key, 201, json={"name": "Fabrikam"})
    assert set(root) == {"id", "name", "parent_id", "root_id"}
    assert root["parent_id"] is None
    assert root["root_id"] == root["id"]
    key = api.call(
        "POST",
        f"/api/v1/orgs/{root['id']}/api-keys",
        api.operator_key,
        201,
        json={"name": "admin", "privileges": ["setup"]},
    )["key"]
    assert isinstance(key, str)
    assert key

    region = api.call(
        "POST", "/api/v1/orgs", key, 201, json={"name": "EMEA", "parent_id": root["id"]}
    )
    team = api.call(
        "POST", "/api/v1/orgs", key, 201, json={"name": "Paris", "parent_id": region["id"]}
    )

    assert region["parent_id"] == root["id"]
    assert region["root_id"] == root["id"]
    assert team["parent_id"] == region["id"]
    assert team["root_id"] == root["id"]
    assert api.call("GET", f"/api/v1/orgs/{team['id']}", key, 200) == team


def test_sub_organization_settings_show_inherited_from(api: Api) -> None:
    """§1/§6: a sub-organization shows the root's settings with `inherited_from`, at any
    depth; the root shows none."""
    tenant = api.tenant(mode="disclaimer", group=True)
    sub = _sub_org(api, tenant)
    deeper = _sub_org(api, tenant, "West Region / Seattle", parent=sub["id"])
    root_settings = _get_settings(api, tenant)

    for org in (sub, deeper):
        settings = _get_settings(api, tenant, org["id"])
        assert settings["inherited_from"]["id"] == tenant.org_id
        assert settings["inherited_from"]["name"] == "Northwind Bank"
        assert {k: v for k, v in settings.items() if k != "inherited_from"} == {
            k: v for k, v in root_settings.items() if k != "inherited_from"
        }
    assert root_settings.get("inherited_from") is None
    assert root_settings["sms_optin"] == {"entitled": True, "enabled": True, "mode": "disclaimer"}


def test_settings_have_the_spec_shape_and_defaults(api: Api) -> None:
    """§2: the nested settings document with its defaults."""
    tenant = api.tenant(entitled=False)

    settings = _get_settings(api, tenant)

    assert settings["sms_optin"] == {"entitled": False, "enabled": False, "mode": "consent"}
    assert settings["group_messaging"] == {"enabled": False}
    assert settings["keywords"]["opt_in"] == "YES"
    assert settings["keywords"]["opt_out"] == "STOP"
    assert settings["keywords"]["opt_in_synonyms"] == ["START", "UNSTOP"]
    assert settings["keywords"]["opt_out_synonyms"] == [
        "STOPALL",
        "STOP ALL",
        "UNSUBSCRIBE",
        "CANCEL",
        "END",
        "QUIT",
        "REVOKE",
        "OPTOUT",
        "OPT OUT",
    ]
    assert settings["hold_max_age"] == 604800
    assert settings["request_resend_interval"] == 86400
    assert set(settings["templates"]) == {
        "mt_request",
        "mt_requested_notice",
        "mt_accepted_notice",
        "mt_confirmation",
        "mt_optout_notice",
        "mt_optout_confirmation",
        "mo_request",
        "mo_requested_notice",
        "mo_accepted_notice",
        "mo_confirmation",
        "mo_optout_notice",
        "mo_optout_confirmation",
        "disclaimer",
        "help",
    }


def test_settings_patch_answers_the_new_settings_and_history_records_it(api: Api) -> None:
    """§2/§6: PATCH answers the new settings; every change is recorded with who, when, the
    old and the new value (GET settings/history)."""
    tenant = api.tenant(mode="consent")
    history_before = _history(api, tenant)
    api.clock.advance(hours=3)

    answer = api.settings(
        tenant, sms_optin={"mode": "disclaimer"}, hold_max_age=3600, keywords={"opt_in": "OK"}
    )

    assert answer == _get_settings(api, tenant)
    assert answer["sms_optin"]["mode"] == "disclaimer"
    assert answer["hold_max_age"] == 3600
    history = _history(api, tenant)
    new = history[len(history_before) :]
    changes = {entry["setting"]: (entry["old_value"], entry["new_value"]) for entry in new}
    assert changes == {
        "sms_optin.mode": ("consent", "disclaimer"),
        "hold_max_age": (604800, 3600),
        "keywords.opt_in": ("YES", "OK"),
    }
    for entry in new:
        assert entry["actor"]
        assert entry["changed_at"].startswith("2026-01-05T12:00:00")
    # Who: the operator granted the entitlement, the tenant's key changed the mode.
    entitlement = next(e for e in history if e["setting"] == "sms_optin.entitled")
    assert entitlement["new_value"] is True
    assert entitlement["actor"] != new[0]["actor"]
    assert len({entry["actor"] for entry in new}) == 1


def test_refused_settings_change_is_not_recorded(api: Api) -> None:
    """§2: only changes that happened are recorded; a refused one leaves no history."""
    tenant = api.tenant(mode="consent")
    before = _history(api, tenant)

    api.settings(tenant, expect=409, group_messaging={"enabled": True})
    api.settings(tenant, expect=422, keywords={"opt_in": "STOP"})
    api.settings(tenant, hold_max_age=604800)  # no change

    assert _history(api, tenant) == before


# --- sub-organization lines follow the root's policy ------------------------------------------


def test_sub_organization_line_follows_the_root_policy(api: Api) -> None:
    """§1: the SMS Opt-in setting on the root applies to the whole tree."""
    tenant = api.tenant(mode="consent")
    sub = _sub_org(api, tenant)
    api.call(
        "POST",
        f"/api/v1/orgs/{sub['id']}/lines",
        tenant.key,
        201,
        json={"number": "+15550003003", "employee_name": "Grace Hopper"},
    )
    sub_tenant = Tenant(tenant.org_id, tenant.key, "+15550003003", "Grace Hopper", tenant.company)

    answer = api.inbound(sub_tenant, CONTACT, "Hello Grace")

    assert (answer["status"], answer["consent"]["state"]) == ("held", "pending")
    contact_phone, _ = phones(api, sub_tenant)
    assert contact_phone == [MT_REQUEST.replace("Ada Lovelace", "Grace Hopper")]


# --- OpenAPI and health -----------------------------------------------------------------------

SPEC_ROUTES = {
    ("post", "/api/v1/orgs"),
    ("get", "/api/v1/orgs/{}"),
    ("put", "/api/v1/orgs/{}/entitlements"),
    ("post", "/api/v1/orgs/{}/api-keys"),
    ("post", "/api/v1/orgs/{}/users"),
    ("post", "/api/v1/orgs/{}/lines"),
    ("get", "/api/v1/orgs/{}/settings"),
    ("patch", "/api/v1/orgs/{}/settings"),
    ("get", "/api/v1/orgs/{}/settings/history"),
    ("post", "/api/v1/messages/outbound"),
    ("post", "/api/v1/messages/inbound"),
    ("get", "/api/v1/conversations"),
    ("get", "/healthz"),
}


def test_openapi_document_lists_every_spec_route(api: Api) -> None:
    """§6: the OpenAPI document lists every route of the contract (the report route is
    not built yet)."""
    response = api.client.get("/openapi.json")

    assert response.status_code == 200
    listed = {
        (method, re.sub(r"\{[^}]+\}", "{}", path))
        for path, operations in response.json()["paths"].items()
        for method in operations
    }
    assert listed >= SPEC_ROUTES, SPEC_ROUTES - listed


def test_healthz_is_200(api: Api) -> None:
    """§6: GET /healthz answers 200 while the process is alive, without a key."""
    response = api.client.get("/healthz")

    assert response.status_code == 200
