"""The Users and API keys pages: confirmations before what cannot be undone, keys shown once."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from consentline.service import users as user_service
from consentline.service.demo import SYSTEM
from consentline.service.unit_of_work import UnitOfWork
from tests.integration.portal.support import PASSWORD, Portal, PortalTenant


def _user_id(engine: Engine, tenant: PortalTenant, email: str) -> int:
    with UnitOfWork(engine) as uow:
        users = user_service.list_users(uow, SYSTEM, tenant.root_id)
    return next(u.id for u in users if u.email == email)


def test_deactivating_asks_first_says_what_happens_then_signs_the_user_out(
    portal: Portal, tenant: PortalTenant, engine: Engine
) -> None:
    viewer = Portal(TestClient(portal.client.app))
    viewer.sign_in(tenant.viewer)
    portal.sign_in(tenant.admin)
    viewer_id = _user_id(engine, tenant, tenant.viewer)
    listed = portal.get("/setup/users").text
    assert f'href="/setup/users/{viewer_id}/deactivate"' in listed
    confirm = portal.get(f"/setup/users/{viewer_id}/deactivate")
    assert confirm.status_code == 200
    assert f"{tenant.viewer} is signed out of 1 session at once." in confirm.text
    assert "cannot sign in until someone with Setup reactivates them" in confirm.text
    assert viewer.get("/conversations", follow_redirects=False).status_code == 200  # not yet

    done = portal.post(f"/setup/users/{viewer_id}/active", {"active": "false"})
    assert done.status_code == 303
    assert "signed out of 1 session, and cannot sign in" in portal.get("/setup/users").text
    assert viewer.get("/conversations", follow_redirects=False).status_code == 303
    assert viewer.sign_in(tenant.viewer).status_code == 401

    assert portal.post(f"/setup/users/{viewer_id}/active", {"active": "true"}).status_code == 303
    assert viewer.sign_in(tenant.viewer).status_code == 303


def test_an_admin_cannot_deactivate_themselves_or_the_last_setup_user(
    portal: Portal, tenant: PortalTenant, engine: Engine
) -> None:
    portal.sign_in(tenant.admin)
    admin_id = _user_id(engine, tenant, tenant.admin)
    own = portal.post(f"/setup/users/{admin_id}/active", {"active": "false"})
    assert own.status_code == 422
    assert "You cannot deactivate yourself" in own.text
    assert portal.get("/setup/feature-settings", follow_redirects=False).status_code == 200


def test_a_reset_link_is_shown_once_on_the_users_page(
    portal: Portal, tenant: PortalTenant, engine: Engine
) -> None:
    portal.sign_in(tenant.admin)
    viewer_id = _user_id(engine, tenant, tenant.viewer)
    shown = portal.post(f"/setup/users/{viewer_id}/password-reset", {})
    assert shown.status_code == 200
    link = re.search(r'value="(http://testserver/reset-password/[^"]+)"', shown.text)
    assert link
    assert link.group(1) not in portal.get("/setup/users").text
    stranger = Portal(TestClient(portal.client.app))
    form = stranger.get(link.group(1).removeprefix("http://testserver"))
    assert form.status_code == 200
    assert tenant.viewer in form.text


def test_keys_are_made_shown_once_rotated_and_revoked_after_confirmation(
    portal: Portal, tenant: PortalTenant
) -> None:
    portal.sign_in(tenant.admin)
    made = portal.post("/setup/api-keys", {"name": "CRM", "privileges": ["reports"]})
    assert made.status_code == 201
    key = re.search(r'id="new-key" readonly value="(cl_[^"]+)"', made.text).group(1)  # type: ignore[union-attr]
    listed = portal.get("/setup/api-keys").text
    assert key not in listed
    assert key[:8] in listed
    api = TestClient(portal.client.app)
    auth = {"Authorization": f"Bearer {key}"}
    assert api.get(f"/api/v1/orgs/{tenant.root_id}", headers=auth).status_code == 200

    key_id = re.search(r'/setup/api-keys/(\d+)/revoke"', listed).group(1)  # type: ignore[union-attr]
    confirm = portal.get(f"/setup/api-keys/{key_id}/revoke")
    assert "Every request with the key" in confirm.text
    assert "This cannot be undone" in confirm.text
    assert api.get(f"/api/v1/orgs/{tenant.root_id}", headers=auth).status_code == 200
    revoked = portal.post(f"/setup/api-keys/{key_id}/revoke", {})
    assert revoked.status_code == 303
    assert api.get(f"/api/v1/orgs/{tenant.root_id}", headers=auth).status_code == 401
    assert "Revoked" in portal.get("/setup/api-keys").text


def test_rotating_a_key_in_the_portal_shows_the_new_one_and_keeps_the_old_for_a_while(
    portal: Portal, tenant: PortalTenant
) -> None:
    portal.sign_in(tenant.admin)
    made = portal.post("/setup/api-keys", {"name": "Billing", "privileges": ["messaging"]})
    old = re.search(r'id="new-key" readonly value="(cl_[^"]+)"', made.text).group(1)  # type: ignore[union-attr]
    key_id = re.search(r'/setup/api-keys/(\d+)/rotate"', made.text).group(1)  # type: ignore[union-attr]
    rotated = portal.post(f"/setup/api-keys/{key_id}/rotate", {"grace_hours": "24"})
    assert rotated.status_code == 201
    new = re.search(r'id="new-key" readonly value="(cl_[^"]+)"', rotated.text).group(1)  # type: ignore[union-attr]
    assert new != old
    assert "The key it replaces" in rotated.text
    api = TestClient(portal.client.app)
    for key in (old, new):
        answer = api.get(
            f"/api/v1/orgs/{tenant.root_id}", headers={"Authorization": f"Bearer {key}"}
        )
        assert answer.status_code == 200


def test_a_user_without_setup_sees_no_keys_page(portal: Portal, tenant: PortalTenant) -> None:
    portal.sign_in(tenant.viewer, PASSWORD)
    assert "/setup/api-keys" not in portal.get("/setup/feature-settings").text
    assert portal.get("/setup/api-keys").status_code == 403
