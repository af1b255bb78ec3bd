"""Known report data: a bank with a sub-organization, records in both modes, spread over days."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.helpers import Api, Tenant

PENDING, OPTED_IN, OPTED_OUT, TOLD = "+15557770001", "+15557770002", "+15557770003", "+15557770004"
WEST_LINE = "+15550001002"


@dataclass
class ReportData:
    tenant: Tenant
    west_id: int
    west: Tenant


@pytest.fixture
def report_data(api: Api) -> ReportData:
    """Day 1 (2026-01-05): PENDING asks Ada. Day 2: OPTED_IN asks and says YES.
    Day 3: Bob (West Region) texts OPTED_OUT, who says STOP. Day 4, in disclaimer mode:
    Ada texts TOLD."""
    tenant = api.tenant()
    west = api.call(
        "POST",
        "/api/v1/orgs",
        tenant.key,
        201,
        json={"name": "West Region", "parent_id": tenant.org_id},
    )
    api.call(
        "POST",
        f"/api/v1/orgs/{west['id']}/lines",
        tenant.key,
        201,
        json={"number": WEST_LINE, "employee_name": "Bob Smith"},
    )
    west_tenant = Tenant(tenant.org_id, tenant.key, WEST_LINE, "Bob Smith", tenant.company)
    api.inbound(tenant, PENDING, "Hi Ada, is my card ready?")
    api.clock.advance(days=1)
    api.inbound(tenant, OPTED_IN, "Hello")
    api.clock.advance(minutes=5)
    api.inbound(tenant, OPTED_IN, "Yes!")
    api.clock.advance(days=1)
    api.outbound(west_tenant, OPTED_OUT, "Your statement is ready")
    api.clock.advance(minutes=5)
    api.inbound(west_tenant, OPTED_OUT, "stop")
    api.clock.advance(days=1)
    api.settings(tenant, sms_optin={"mode": "disclaimer"})
    api.outbound(tenant, TOLD, "Welcome aboard")
    return ReportData(tenant, west["id"], west_tenant)
