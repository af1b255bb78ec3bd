"""Arbitrary Unicode and numbers in every JSON field and query parameter of every route:
never a 5xx (and the test client re-raises any server exception).

Each example starts from a valid request of a route, so that it gets past the first checks,
and replaces some of its fields (or adds unknown ones) with hostile values: any code point
including lone surrogates and non-characters, NUL and line breaks, integers of any size,
NaN and infinities, lists and objects. Example counts stay modest: the suite runs in CI.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from tests.helpers import Api

SPECIAL_TEXT = ["\x00", "\ud800", "\udfff", "\ufffe", "\U0010ffff", "\n", "\r\n", "\u2028", ""]
SPECIAL_NUMBERS = [0, -1, 2**31, 2**63 - 1, 2**63, -(2**63) - 1, 10**30]

texts = st.one_of(
    st.builds(lambda a, b: a + b, st.text(max_size=10), st.sampled_from(SPECIAL_TEXT)),
    st.sampled_from(SPECIAL_TEXT),
    st.text(st.characters(exclude_categories=()), max_size=40),
)
numbers = st.one_of(
    st.integers(), st.sampled_from(SPECIAL_NUMBERS), st.floats(allow_nan=True, allow_infinity=True)
)
scalars = st.one_of(texts, numbers, st.booleans(), st.none())
values = st.one_of(
    scalars,
    st.lists(scalars, max_size=3),
    st.dictionaries(texts, scalars, max_size=3),
)

LINE = "+15550001001"
CONTACT = "+15557770001"
# A valid request of every route with a JSON body ({org} is the tenant's organization).
JSON_ROUTES: list[tuple[str, str, dict[str, Any]]] = [
    ("POST", "/api/v1/orgs", {"name": "Branch", "parent_id": "{org}"}),
    ("PUT", "/api/v1/orgs/{org}/entitlements", {"sms_optin": True}),
    ("POST", "/api/v1/orgs/{org}/api-keys", {"name": "k", "privileges": ["setup"]}),
    (
        "POST",
        "/api/v1/orgs/{org}/users",
        {"email": "a@b.test", "name": "A", "password": "long enough password"},
    ),
    ("POST", "/api/v1/orgs/{org}/lines", {"number": "+15550009999", "employee_name": "Grace"}),
    (
        "PATCH",
        "/api/v1/orgs/{org}/settings",
        {
            "sms_optin": {"enabled": True, "mode": "consent"},
            "keywords": {"opt_in": "YES", "opt_out_synonyms": ["STOP"]},
            "templates": {"optin_request": "Reply YES"},
            "hold_max_age": 3600,
        },
    ),
    ("POST", "/api/v1/messages/outbound", {"line": LINE, "to": CONTACT, "body": "hi"}),
    (
        "POST",
        "/api/v1/messages/inbound",
        {"from": CONTACT, "line": LINE, "body": "hi", "provider_message_id": "SM1"},
    ),
    (
        "PATCH",
        "/api/v1/orgs/{org}/providers",
        {
            "twilio": {"account_sid": "AC1", "auth_token": "t", "lines": [LINE]},
            "employee_app": {"url": "https://app.example.test/hook", "signing_secret": "s"},
        },
    ),
]
QUERY_ROUTES: list[tuple[str, dict[str, Any]]] = [
    ("/api/v1/conversations", {"line": LINE, "contact": CONTACT, "channel": "sms"}),
    (
        "/api/v1/reports/sms-optin",
        {"org": "{org}", "page": 1, "page_size": 50, "from": "2026-01-01", "state": "opted_in"},
    ),
    ("/api/v1/reports/consent-evidence", {"line": LINE, "contact": CONTACT}),
    ("/api/v1/simulator/deliveries", {"line": LINE, "contact": CONTACT}),
    ("/api/v1/orgs/{org}/outbox", {"status": "pending"}),
    ("/api/v1/orgs/{org}/settings/history", {}),
]
FUZZ = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _fill(value: Any, org: int) -> Any:
    if value == "{org}":
        return org
    if isinstance(value, dict):
        return {k: _fill(v, org) for k, v in value.items()}
    return value


def _mutate(body: dict[str, Any], data: st.DataObject) -> dict[str, Any]:
    """Replace some fields (nested ones too) with hostile values, or add unknown ones."""
    body = copy.deepcopy(body)
    targets = [(body, key) for key in body]
    targets += [(v, key) for v in body.values() if isinstance(v, dict) for key in v]
    targets += [
        (inner, key)
        for v in body.values()
        if isinstance(v, dict)
        for inner in v.values()
        if isinstance(inner, dict)
        for key in inner
    ]
    for _ in range(data.draw(st.integers(1, 2))):
        if targets and data.draw(st.integers(0, 3)):
            holder, key = data.draw(st.sampled_from(targets))
            # Mostly text for a text field: the rest of the request stays valid, so the
            # value travels as far as it can (into the database).
            same_kind = isinstance(holder[key], str) and data.draw(st.integers(0, 2)) > 0
            holder[key] = data.draw(texts if same_kind else values)
        else:
            body[data.draw(texts)] = data.draw(values)
    return body


def _path(template: str, org: int, data: st.DataObject) -> str:
    if "{org}" not in template:
        return template
    chosen = data.draw(st.one_of(st.just(org), st.sampled_from(SPECIAL_NUMBERS)))
    return template.replace("{org}", str(chosen))


@FUZZ
@given(data=st.data())
def _fuzz_json(
    api: Api, key: str, org: int, route: tuple[str, str, dict[str, Any]], data: st.DataObject
) -> None:
    method, template, example = route
    body = _mutate(_fill(example, org), data)
    response = api.client.request(
        method,
        _path(template, org, data),
        content=json.dumps(body),  # ASCII with \\u escapes: lone surrogates survive; NaN too
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )
    assert response.status_code < 500, (method, template, body, response.text)


@FUZZ
@given(data=st.data())
def _fuzz_query(
    api: Api, key: str, org: int, route: tuple[str, dict[str, Any]], data: st.DataObject
) -> None:
    template, example = route
    params = {name: str(value) for name, value in _fill(example, org).items()}
    for name in data.draw(st.lists(st.sampled_from([*params, "x"]), max_size=3)):
        drawn = data.draw(st.one_of(texts, numbers.map(str)))
        # A query string carries no lone surrogate (it is bytes); NUL and the rest it can.
        params[name] = drawn.encode("utf-8", "replace").decode("utf-8")
    response = api.client.get(
        _path(template, org, data), params=params, headers={"Authorization": f"Bearer {key}"}
    )
    assert response.status_code < 500, (template, params, response.text)


@pytest.mark.parametrize("route", JSON_ROUTES, ids=lambda route: f"{route[0]} {route[1]}")
def test_hostile_json_fields_never_answer_5xx(
    api: Api, route: tuple[str, str, dict[str, Any]]
) -> None:
    tenant = api.tenant(line=LINE)
    _fuzz_json(api, tenant.key, tenant.org_id, route)


@pytest.mark.parametrize("route", QUERY_ROUTES, ids=lambda route: route[0])
def test_hostile_query_parameters_never_answer_5xx(
    api: Api, route: tuple[str, dict[str, Any]]
) -> None:
    tenant = api.tenant(line=LINE)
    _fuzz_query(api, tenant.key, tenant.org_id, route)
