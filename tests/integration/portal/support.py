"""A signed-in portal client over the real application, and a tenant to act on."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from consentline.service import orgs as org_service, settings as settings_service
from consentline.service.demo import SYSTEM
from consentline.service.unit_of_work import UnitOfWork
from tests.helpers import FakeClock

PASSWORD = "correct horse battery"
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass(frozen=True)
class PortalTenant:
    root_id: int
    sub_id: int
    admin: str
    viewer: str
    """A user with Reports but not Setup."""


def make_tenant(
    engine: Engine,
    clock: FakeClock,
    name: str,
    *,
    entitled: bool = True,
    line: str = "+15550001001",
) -> PortalTenant:
    now = clock()
    slug = name.lower().replace(" ", "-")
    with UnitOfWork(engine) as uow:
        root = org_service.create_org(uow, SYSTEM, name, None, now)
        sub = org_service.create_org(uow, SYSTEM, f"{name} West", root.id, now)
        if entitled:
            org_service.set_entitlement(uow, SYSTEM, root.id, True, now)
            settings_service.change_settings(
                uow, SYSTEM, root.id, {"sms_optin": {"enabled": True, "mode": "consent"}}, now
            )
        org_service.create_line(uow, SYSTEM, root.id, line, "Ada Lovelace", now)
        admin = f"admin@{slug}.test"
        viewer = f"viewer@{slug}.test"
        org_service.create_user(
            uow, SYSTEM, root.id, admin, "Admin", PASSWORD, ["setup", "reports", "messaging"], now
        )
        org_service.create_user(uow, SYSTEM, root.id, viewer, "Viewer", PASSWORD, ["reports"], now)
    return PortalTenant(root.id, sub.id, admin, viewer)


class Portal:
    """A browser-like client: keeps the session cookie, sends the page's CSRF token."""

    def __init__(self, client: TestClient) -> None:
        self.client = client

    def token(self, path: str = "/login") -> str:
        page = self.client.get(path)
        found = _TOKEN.search(page.text)
        assert found, (path, page.status_code)
        return found.group(1)

    def sign_in(self, email: str, password: str = PASSWORD) -> Any:
        token = self.token("/login")
        return self.client.post(
            "/login",
            data={"email": email, "password": password, "csrf_token": token, "next": "/try"},
            follow_redirects=False,
        )

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.client.get(path, **kwargs)

    def post(self, path: str, data: dict[str, Any], *, token: str | None = None) -> Any:
        form = {
            **data,
            "csrf_token": token if token is not None else self.token("/setup/feature-settings"),
        }
        return self.client.post(path, data=form, follow_redirects=False)

    def pick(self, org_id: int) -> None:
        response = self.post("/org", {"org_id": org_id, "next": "/"})
        assert response.status_code == 303, response.text


def portal_from(server: TestClient, host: str) -> Portal:
    """Another browser on the same server, connecting from the client address ``host``."""
    return Portal(TestClient(server.app, client=(host, 50000)))


def settings_of(engine: Engine, org_id: int) -> dict[str, Any]:
    with UnitOfWork(engine) as uow:
        return settings_service.get_settings(uow, SYSTEM, org_id)
