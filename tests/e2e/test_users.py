"""Users through the real application: list, deactivate, reactivate, privileges, resets."""

from __future__ import annotations

from typing import Any

from tests.helpers import Api, Tenant
from tests.integration.portal.support import Portal

PASSWORD = "a long enough password"


def _user(api: Api, tenant: Tenant, email: str, privileges: list[str]) -> dict[str, Any]:
    body = {"email": email, "name": "Pat Person", "password": PASSWORD, "privileges": privileges}
    return dict(api.call("POST", f"/api/v1/orgs/{tenant.org_id}/users", tenant.key, 201, json=body))


def _patch(api: Api, tenant: Tenant, user_id: object, expect: int, **body: object) -> Any:
    path = f"/api/v1/orgs/{tenant.org_id}/users/{user_id}"
    return api.call("PATCH", path, tenant.key, expect, json=body)


def _signed_in(portal: Portal) -> bool:
    return bool(portal.get("/setup/feature-settings", follow_redirects=False).status_code == 200)


def test_users_are_listed_with_their_status(api: Api) -> None:
    tenant = api.tenant()
    made = _user(api, tenant, "pat@northwind.test", ["reports"])
    listed = api.call("GET", f"/api/v1/orgs/{tenant.org_id}/users", tenant.key, 200)
    assert listed["items"] == [
        {
            "id": made["id"],
            "email": "pat@northwind.test",
            "name": "Pat Person",
            "privileges": ["reports"],
            "active": True,
            "org_id": tenant.org_id,
        }
    ]


def test_a_deactivated_user_is_signed_out_and_cannot_sign_in_until_reactivated(
    api: Api,
) -> None:
    tenant = api.tenant()
    made = _user(api, tenant, "pat@northwind.test", ["setup"])
    _user(api, tenant, "sam@northwind.test", ["setup"])
    portal = Portal(api.client)
    assert portal.sign_in("pat@northwind.test", PASSWORD).status_code == 303
    assert _signed_in(portal)

    answer = _patch(api, tenant, made["id"], 200, active=False)
    assert answer["active"] is False
    assert not _signed_in(portal)
    refused = portal.sign_in("pat@northwind.test", PASSWORD)
    assert refused.status_code == 401
    assert "This account is deactivated" in refused.text

    assert _patch(api, tenant, made["id"], 200, active=True)["active"] is True
    assert portal.sign_in("pat@northwind.test", PASSWORD).status_code == 303
    assert _signed_in(portal)


def test_the_last_setup_user_keeps_setup_and_stays_active(api: Api) -> None:
    tenant = api.tenant()
    only = _user(api, tenant, "pat@northwind.test", ["setup", "reports"])
    refused = _patch(api, tenant, only["id"], 409, active=False)
    assert refused["error"]["code"] == "last_setup_user"
    assert "last active user with Setup" in refused["error"]["message"]
    _patch(api, tenant, only["id"], 409, privileges=["reports"])
    # A refused change changes nothing, not even the parts that were fine.
    _patch(api, tenant, only["id"], 409, privileges=["reports"], name="Renamed")
    listed = api.call("GET", f"/api/v1/orgs/{tenant.org_id}/users", tenant.key, 200)["items"]
    assert listed[0]["active"] is True
    assert listed[0]["privileges"] == ["reports", "setup"]
    assert listed[0]["name"] == "Pat Person"

    _user(api, tenant, "sam@northwind.test", ["setup"])
    assert _patch(api, tenant, only["id"], 200, privileges=["reports"])["privileges"] == ["reports"]


def test_privileges_and_name_are_edited_and_a_lost_privilege_ends_the_sessions(
    api: Api,
) -> None:
    tenant = api.tenant()
    made = _user(api, tenant, "pat@northwind.test", ["reports", "messaging"])
    portal = Portal(api.client)
    portal.sign_in("pat@northwind.test", PASSWORD)
    assert _signed_in(portal)
    renamed = _patch(api, tenant, made["id"], 200, name="Pat Q. Person")
    assert renamed["name"] == "Pat Q. Person"
    assert _signed_in(portal)  # a new name takes nothing away
    _patch(api, tenant, made["id"], 200, privileges=["reports"])
    assert not _signed_in(portal)
    assert _patch(api, tenant, made["id"], 422, privileges=["admin"])["error"]["code"] == (
        "invalid_request"
    )


def test_users_of_another_enterprise_are_not_found(api: Api) -> None:
    tenant, other = api.tenant(), api.tenant(company="Other Bank", line="+15550001002")
    made = _user(api, tenant, "pat@northwind.test", ["reports"])
    path = f"/api/v1/orgs/{other.org_id}/users/{made['id']}"
    assert api.call("PATCH", path, other.key, 404, json={"active": False})
    assert api.call("GET", f"/api/v1/orgs/{tenant.org_id}/users", other.key, 404)


def _reset_url(api: Api, tenant: Tenant, user_id: object) -> str:
    path = f"/api/v1/orgs/{tenant.org_id}/users/{user_id}/password-reset"
    answer = api.call("POST", path, tenant.key, 201)
    assert answer["email"] == "pat@northwind.test"
    return str(answer["reset_url"])


def _set(portal: Portal, url: str, password: str, repeat: str | None = None) -> Any:
    path = url.removeprefix("http://testserver")
    token = portal.token("/login")  # the same session's token, whatever the link's page shows
    return portal.post(
        path,
        {"new_password": password, "repeat_password": repeat or password},
        token=token,
    )


def test_a_reset_link_sets_a_new_password_once_and_ends_the_sessions(api: Api) -> None:
    tenant = api.tenant()
    made = _user(api, tenant, "pat@northwind.test", ["reports"])
    pat = Portal(api.client)
    pat.sign_in("pat@northwind.test", PASSWORD)
    url = _reset_url(api, tenant, made["id"])
    assert url.startswith("http://testserver/reset-password/")

    stranger = Portal(api.client.__class__(api.client.app))
    weak = _set(stranger, url, "aaaaaaaaaaaa")
    assert weak.status_code == 422
    assert "at least 5 different characters" in weak.text
    assert _set(stranger, url, "a new good password", "another").status_code == 422
    done = _set(stranger, url, "a new good password")
    assert done.status_code == 303
    assert done.headers["location"] == "/login"
    assert not _signed_in(pat)
    assert pat.sign_in("pat@northwind.test", PASSWORD).status_code == 401
    assert pat.sign_in("pat@northwind.test", "a new good password").status_code == 303

    again = stranger.get(url.removeprefix("http://testserver"))
    assert again.status_code == 400
    assert "already used" in again.text
    assert _set(stranger, url, "yet another password").status_code == 400
    assert pat.sign_in("pat@northwind.test", "yet another password").status_code == 401


def test_a_reset_link_expires_after_24_hours_and_a_newer_one_replaces_it(api: Api) -> None:
    tenant = api.tenant()
    made = _user(api, tenant, "pat@northwind.test", ["reports"])
    first = _reset_url(api, tenant, made["id"])
    second = _reset_url(api, tenant, made["id"])
    browser = Portal(api.client)
    replaced = browser.get(first.removeprefix("http://testserver"))
    assert "already used (or replaced by a newer one)" in replaced.text
    api.clock.advance(hours=24, seconds=1)
    late = _set(browser, second, "a new good password")
    assert late.status_code == 400
    assert "has expired" in late.text
    assert browser.sign_in("pat@northwind.test", PASSWORD).status_code == 303


def test_a_reset_token_never_reaches_the_access_log(api: Api, caplog: Any) -> None:
    tenant = api.tenant()
    made = _user(api, tenant, "pat@northwind.test", ["reports"])
    url = _reset_url(api, tenant, made["id"])
    token = url.rsplit("/", 1)[1]
    with caplog.at_level("INFO", logger="consentline.access"):
        Portal(api.client).get(url.removeprefix("http://testserver"))
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert "/reset-password/[redacted]" in logged
    assert token not in logged
