"""API keys through the real application: make, list, revoke, expire, rotate, last use."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from consentline.store.tables import api_keys
from tests.helpers import Api, Tenant

FIELDS = {
    "id",
    "name",
    "prefix",
    "privileges",
    "created_at",
    "created_by",
    "last_used_at",
    "expires_at",
    "revoked_at",
}


def _keys(api: Api, tenant: Tenant) -> list[dict[str, object]]:
    listed = api.call("GET", f"/api/v1/orgs/{tenant.org_id}/api-keys", tenant.key, 200)
    return list(listed["items"])


def _make(api: Api, tenant: Tenant, expect: int = 201, **body: object) -> dict[str, object]:
    payload = {"name": "CRM", "privileges": ["reports"], **body}
    return dict(
        api.call("POST", f"/api/v1/orgs/{tenant.org_id}/api-keys", tenant.key, expect, json=payload)
    )


def _works(api: Api, tenant: Tenant, key: object) -> int:
    response = api.client.get(
        f"/api/v1/orgs/{tenant.org_id}", headers={"Authorization": f"Bearer {key}"}
    )
    return response.status_code


def test_a_new_key_is_shown_once_and_listed_without_its_secret(api: Api) -> None:
    tenant = api.tenant()
    made = _make(api, tenant)
    assert set(made) == FIELDS | {"key"}
    assert str(made["key"]).startswith(str(made["prefix"]))
    assert made["privileges"] == ["reports"]
    assert str(made["created_by"]).startswith("api-key:")
    listed = api.client.get(
        f"/api/v1/orgs/{tenant.org_id}/api-keys", headers={"Authorization": f"Bearer {tenant.key}"}
    )
    assert str(made["key"]) not in listed.text
    assert tenant.key not in listed.text
    mine = next(item for item in listed.json()["items"] if item["id"] == made["id"])
    assert set(mine) == FIELDS
    assert mine["prefix"] == made["prefix"]
    assert mine["revoked_at"] is None


def test_a_revoked_key_is_refused_at_once_and_revoking_needs_the_orgs_own_key(api: Api) -> None:
    tenant, other = api.tenant(), api.tenant(company="Other Bank", line="+15550001002")
    made = _make(api, tenant, privileges=["setup", "reports"])
    assert _works(api, tenant, made["key"]) == 200
    path = f"/api/v1/orgs/{tenant.org_id}/api-keys/{made['id']}"
    # Another enterprise's key cannot even see it; nothing changes.
    refused = api.client.delete(
        f"/api/v1/orgs/{other.org_id}/api-keys/{made['id']}",
        headers={"Authorization": f"Bearer {other.key}"},
    )
    assert refused.status_code == 404
    assert _works(api, tenant, made["key"]) == 200

    response = api.client.delete(path, headers={"Authorization": f"Bearer {tenant.key}"})
    assert response.status_code == 204
    after = api.client.get(
        f"/api/v1/orgs/{tenant.org_id}", headers={"Authorization": f"Bearer {made['key']}"}
    )
    assert after.status_code == 401
    assert after.json()["error"]["code"] == "key_revoked"
    listed = next(k for k in _keys(api, tenant) if k["id"] == made["id"])
    assert listed["revoked_at"] is not None


def test_a_key_without_setup_cannot_list_or_revoke_keys(api: Api) -> None:
    tenant = api.tenant()
    reports_only = _make(api, tenant)
    path = f"/api/v1/orgs/{tenant.org_id}/api-keys"
    assert api.call("GET", path, str(reports_only["key"]), 403)
    response = api.client.delete(
        f"{path}/{reports_only['id']}", headers={"Authorization": f"Bearer {reports_only['key']}"}
    )
    assert response.status_code == 403
    assert _works(api, tenant, reports_only["key"]) == 200


def test_a_key_stops_working_when_it_expires(api: Api) -> None:
    tenant = api.tenant()
    expires = api.clock() + timedelta(hours=1)
    made = _make(api, tenant, expires_at=expires.isoformat())
    assert made["expires_at"] is not None
    assert _works(api, tenant, made["key"]) == 200
    api.clock.advance(hours=1, seconds=1)
    response = api.client.get(
        f"/api/v1/orgs/{tenant.org_id}", headers={"Authorization": f"Bearer {made['key']}"}
    )
    assert response.status_code == 401
    assert response.json()["error"] == {
        "code": "key_expired",
        "message": "This API key has expired.",
    }


def test_an_expiry_in_the_past_or_without_a_zone_is_refused(api: Api) -> None:
    tenant = api.tenant()
    before = len(_keys(api, tenant))
    past = (api.clock() - timedelta(minutes=1)).isoformat()
    assert _make(api, tenant, 422, expires_at=past)["error"]["code"] == "invalid_expiry"  # type: ignore[index]
    _make(api, tenant, 422, expires_at="2030-01-01T00:00:00")
    assert len(_keys(api, tenant)) == before


def test_rotation_gives_a_new_key_and_the_old_one_works_for_the_grace_period(api: Api) -> None:
    tenant = api.tenant()
    old = _make(api, tenant, privileges=["reports", "messaging"])
    rotated = api.call(
        "POST",
        f"/api/v1/orgs/{tenant.org_id}/api-keys/{old['id']}/rotate",
        tenant.key,
        201,
        json={"grace_hours": 2},
    )
    assert rotated["key"] != old["key"]
    assert rotated["name"] == "CRM"
    assert rotated["privileges"] == ["messaging", "reports"]
    assert rotated["replaces"]["id"] == old["id"]
    assert rotated["replaces"]["expires_at"] is not None
    assert _works(api, tenant, old["key"]) == 200
    assert _works(api, tenant, rotated["key"]) == 200
    api.clock.advance(hours=2, seconds=1)
    assert _works(api, tenant, old["key"]) == 401
    assert _works(api, tenant, rotated["key"]) == 200
    # A key that no longer works is not rotated again.
    again = api.call(
        "POST", f"/api/v1/orgs/{tenant.org_id}/api-keys/{old['id']}/rotate", tenant.key, 409
    )
    assert again["error"]["code"] == "key_inactive"


def test_rotation_with_no_grace_stops_the_old_key_at_once(api: Api) -> None:
    tenant = api.tenant()
    old = _make(api, tenant)
    rotated = api.call(
        "POST",
        f"/api/v1/orgs/{tenant.org_id}/api-keys/{old['id']}/rotate",
        tenant.key,
        201,
        json={"grace_hours": 0},
    )
    assert _works(api, tenant, old["key"]) == 401
    assert _works(api, tenant, rotated["key"]) == 200


def test_last_use_is_written_at_most_once_a_minute(api: Api) -> None:
    tenant = api.tenant()
    made = _make(api, tenant)

    def last_used() -> object:
        with api.engine.connect() as conn:
            return conn.execute(
                select(api_keys.c.last_used_at).where(api_keys.c.id == made["id"])
            ).scalar_one()

    assert last_used() is None
    first = api.clock()
    _works(api, tenant, made["key"])
    assert last_used() == first
    api.clock.advance(seconds=30)
    _works(api, tenant, made["key"])
    assert last_used() == first  # no write within the minute
    later = api.clock.advance(seconds=31)
    _works(api, tenant, made["key"])
    assert last_used() == later


def test_making_rotating_and_revoking_keys_is_in_the_audit_log_without_secrets(api: Api) -> None:
    tenant = api.tenant()
    made = _make(api, tenant, privileges=["reports"])
    base = f"/api/v1/orgs/{tenant.org_id}/api-keys/{made['id']}"
    rotated = api.call("POST", f"{base}/rotate", tenant.key, 201, json={"grace_hours": 0})
    new_id = rotated["id"]
    response = api.client.delete(
        f"/api/v1/orgs/{tenant.org_id}/api-keys/{new_id}",
        headers={"Authorization": f"Bearer {tenant.key}"},
    )
    assert response.status_code == 204
    log = api.client.get(
        f"/api/v1/orgs/{tenant.org_id}/audit-log",
        params={"action": "api_key"},
        headers={"Authorization": f"Bearer {tenant.key}"},
    )
    assert log.status_code == 200
    mine = [
        (item["action"], item["target_id"])
        for item in log.json()["items"]
        if item["target_id"] in {str(made["id"]), str(new_id)}
    ]
    assert sorted(mine) == sorted(
        [
            ("api_key.created", str(made["id"])),
            ("api_key.rotated", str(made["id"])),
            ("api_key.revoked", str(new_id)),
        ]
    )
    assert str(made["key"]) not in log.text
    assert str(made["prefix"]) in log.text
