"""GET /api/v1/conversations/search: every filter, paging, text search, privileges."""

from __future__ import annotations

from typing import Any

from tests.helpers import Api, Tenant

SEARCH = "/api/v1/conversations/search"


def search(api: Api, key: str, expect: int = 200, **params: Any) -> Any:
    return api.call("GET", SEARCH, key, expect, params=params)


def contacts(answer: Any) -> list[str]:
    return [item["contact"] for item in answer["items"]]


def seeded(api: Api) -> Tenant:
    tenant = api.tenant()
    api.inbound(tenant, "+15557770001", "Can we move my appointment to Friday?")
    api.clock.advance(hours=1)
    api.inbound(tenant, "+15557770002", "Hello, question about my mortgage")
    api.clock.advance(hours=1)
    api.inbound(tenant, "+15557770002", "YES")
    api.clock.advance(days=2)
    api.outbound(tenant, "+15557770003", "Your card is ready", channel="whatsapp")
    return tenant


def test_newest_change_first_with_the_total(api: Api) -> None:
    tenant = seeded(api)
    answer = search(api, tenant.key)
    assert contacts(answer) == ["+15557770003", "+15557770002", "+15557770001"]
    assert (answer["total"], answer["page"], answer["page_size"]) == (3, 1, 25)
    first = answer["items"][0]
    assert first["line"] == tenant.line
    assert first["channel"] == "whatsapp"
    assert first["state"] == "pending"
    assert first["last_change_at"].startswith("2026-01-07T11:00:00")
    oldest = search(api, tenant.key, sort="oldest")
    assert contacts(oldest) == ["+15557770001", "+15557770002", "+15557770003"]


def test_each_filter_narrows(api: Api) -> None:
    tenant = seeded(api)
    assert contacts(search(api, tenant.key, contact="(555) 777-0002")) == ["+15557770002"]
    assert contacts(search(api, tenant.key, state="opted_in")) == ["+15557770002"]
    assert contacts(search(api, tenant.key, channel="whatsapp")) == ["+15557770003"]
    assert search(api, tenant.key, line="ada")["total"] == 3
    assert search(api, tenant.key, line="555 000 1001")["total"] == 3
    assert search(api, tenant.key, line="Nobody")["total"] == 0
    assert contacts(search(api, tenant.key, to="2026-01-05")) == ["+15557770002", "+15557770001"]
    assert contacts(search(api, tenant.key, **{"from": "2026-01-06"})) == ["+15557770003"]


def test_words_in_messages_match_as_prefixes(api: Api) -> None:
    tenant = seeded(api)
    assert contacts(search(api, tenant.key, q="appoint")) == ["+15557770001"]
    assert contacts(search(api, tenant.key, q="MORTGAGE question")) == ["+15557770002"]
    assert search(api, tenant.key, q="mortgage friday")["total"] == 0
    # Punctuation and operators are words to look for, not query syntax.
    assert search(api, tenant.key, q='"card" OR * NEAR(')["total"] == 0
    assert contacts(search(api, tenant.key, q='card" ready*')) == ["+15557770003"]


def test_pages(api: Api) -> None:
    tenant = seeded(api)
    first = search(api, tenant.key, page_size=2)
    second = search(api, tenant.key, page_size=2, page=2)
    assert (first["total"], second["total"]) == (3, 3)
    assert contacts(first) + contacts(second) == ["+15557770003", "+15557770002", "+15557770001"]
    assert search(api, tenant.key, page=5)["items"] == []


def test_bad_filters_are_refused_with_a_clear_error(api: Api) -> None:
    tenant = seeded(api)
    for params in (
        {"contact": "not a number"},
        {"channel": "fax"},
        {"state": "maybe"},
        {"from": "yesterday"},
        {"page": 0},
        {"page_size": 101},
        {"from": "2026-02-01", "to": "2026-01-01"},
        {"q": "nul\x00"},
    ):
        answer = search(api, tenant.key, 422, **params)
        assert set(answer["error"]) == {"code", "message"}, params


def test_privileges_and_tenants(api: Api) -> None:
    tenant = seeded(api)
    other = api.tenant(company="Fabrikam", line="+15550009009")
    assert search(api, other.key)["total"] == 0
    search(api, other.key, 404, org=tenant.org_id)
    setup_only = api.call(
        "POST",
        f"/api/v1/orgs/{tenant.org_id}/api-keys",
        tenant.key,
        201,
        json={"name": "setup", "privileges": ["setup"]},
    )["key"]
    search(api, setup_only, 403)
    reports_only = api.call(
        "POST",
        f"/api/v1/orgs/{tenant.org_id}/api-keys",
        tenant.key,
        201,
        json={"name": "reports", "privileges": ["reports"]},
    )["key"]
    assert search(api, reports_only)["total"] == 3
    search(api, api.operator_key, 422)
    assert search(api, api.operator_key, org=tenant.org_id)["total"] == 3


def test_a_sub_organization_sees_only_its_lines(api: Api) -> None:
    tenant = seeded(api)
    branch = api.call(
        "POST", "/api/v1/orgs", tenant.key, 201, json={"name": "Branch", "parent_id": tenant.org_id}
    )
    api.call(
        "POST",
        f"/api/v1/orgs/{branch['id']}/lines",
        tenant.key,
        201,
        json={"number": "+15550001002", "employee_name": "Alan Turing"},
    )
    api.call(
        "POST",
        "/api/v1/messages/inbound",
        tenant.key,
        201,
        json={"from": "+15557770009", "line": "+15550001002", "body": "hi"},
    )
    assert contacts(search(api, tenant.key, org=branch["id"])) == ["+15557770009"]
    assert search(api, tenant.key)["total"] == 4
