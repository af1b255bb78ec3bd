"""Test support: a controllable clock and a small client for the HTTP API."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from consentline.app import default_providers
from consentline.service.outbox_worker import deliver_due
from consentline.store import outbox as outbox_store

T = TypeVar("T")

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


class FakeClock:
    """The time the application sees; tests move it forward."""

    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@dataclass
class Tenant:
    """A root organization with one line and a key holding every privilege."""

    org_id: int
    key: str
    line: str
    employee: str
    company: str


class Api:
    """The HTTP API as a test speaks it; every call checks its status code."""

    def __init__(self, client: TestClient, engine: Engine, clock: FakeClock, operator_key: str):
        self.client = client
        self.engine = engine
        self.clock = clock
        self.operator_key = operator_key

    def call(
        self, method: str, path: str, key: str | None, expect: int | None = None, **kwargs: Any
    ) -> Any:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        response = self.client.request(method, path, headers=headers, **kwargs)
        if expect is not None:
            assert response.status_code == expect, (response.status_code, response.text)
        return response.json()

    def tenant(
        self,
        *,
        company: str = "Northwind Bank",
        employee: str = "Ada Lovelace",
        line: str = "+15550001001",
        entitled: bool = True,
        enabled: bool = True,
        mode: str = "consent",
        group: bool = False,
    ) -> Tenant:
        org = self.call("POST", "/api/v1/orgs", self.operator_key, 201, json={"name": company})
        if entitled:
            self.call(
                "PUT",
                f"/api/v1/orgs/{org['id']}/entitlements",
                self.operator_key,
                200,
                json={"sms_optin": True},
            )
        key = self.call(
            "POST",
            f"/api/v1/orgs/{org['id']}/api-keys",
            self.operator_key,
            201,
            json={"name": "all", "privileges": ["setup", "reports", "messaging"]},
        )["key"]
        self.call(
            "POST",
            f"/api/v1/orgs/{org['id']}/lines",
            key,
            201,
            json={"number": line, "employee_name": employee},
        )
        patch: dict[str, Any] = {"group_messaging": {"enabled": group}}
        if entitled:
            patch["sms_optin"] = {"enabled": enabled, "mode": mode}
        self.call("PATCH", f"/api/v1/orgs/{org['id']}/settings", key, 200, json=patch)
        return Tenant(org["id"], key, line, employee, company)

    def settings(self, tenant: Tenant, expect: int = 200, **patch: Any) -> Any:
        return self.call(
            "PATCH", f"/api/v1/orgs/{tenant.org_id}/settings", tenant.key, expect, json=patch
        )

    def inbound(
        self, tenant: Tenant, contact: str, body: str, expect: int = 201, **extra: Any
    ) -> Any:
        payload = {"from": contact, "line": tenant.line, "body": body, **extra}
        return self.call("POST", "/api/v1/messages/inbound", tenant.key, expect, json=payload)

    def outbound(
        self, tenant: Tenant, to: str | list[str], body: str, expect: int = 201, **extra: Any
    ) -> Any:
        payload = {"line": tenant.line, "to": to, "body": body, **extra}
        return self.call("POST", "/api/v1/messages/outbound", tenant.key, expect, json=payload)

    def conversation(self, tenant: Tenant, contact: str, channel: str = "sms") -> Any:
        return self.call(
            "GET",
            "/api/v1/conversations",
            tenant.key,
            200,
            params={"line": tenant.line, "contact": contact, "channel": channel},
        )

    def deliver(self) -> int:
        """Run the outbox worker once, as the in-process worker would."""
        return deliver_due(self.engine, default_providers(), self.clock)

    def phone(self, tenant: Tenant, contact: str, side: str) -> list[str]:
        """What one side's phone received, in order (after ``deliver``)."""
        with self.engine.connect() as conn:
            rows = outbox_store.simulated_deliveries(conn, tenant.line, contact)
        return [str(row["body"]) for row in rows if row["side"] == side]

    def messages(self, tenant: Tenant, contact: str) -> list[dict[str, Any]]:
        return list(self.conversation(tenant, contact)["messages"])


def run_apart(function: Callable[..., T], *args: Any) -> T:
    """Run ``function`` (``asyncio.run``, ``anyio.run``) on a thread of its own: a browser
    test earlier in the same pytest-xdist worker leaves Playwright's event loop running on
    the main thread, where a second loop cannot start."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args).result()
