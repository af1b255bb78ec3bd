"""GET /api/v1/reports/sms-optin: rows, filters, paging, access, CSV and XLSX."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from openpyxl import load_workbook  # type: ignore[import-untyped]

from tests.e2e.reports.conftest import OPTED_IN, OPTED_OUT, PENDING, TOLD, WEST_LINE, ReportData
from tests.helpers import Api

URL = "/api/v1/reports/sms-optin"


def _report(api: Api, data: ReportData, expect: int = 200, **params: Any) -> Any:
    return api.call("GET", URL, data.tenant.key, expect, params=params)


def _contacts(body: Any) -> list[str]:
    return [row["contact"] for row in body["rows"]]


def test_with_consent_lists_every_consent_record_newest_change_first(
    api: Api, report_data: ReportData
) -> None:
    body = _report(api, report_data, mode="consent")
    assert body["total"] == 3
    assert (body["page"], body["page_size"]) == (1, 50)
    assert _contacts(body) == [OPTED_OUT, OPTED_IN, PENDING]
    opted_out, opted_in, pending = body["rows"]
    assert opted_in == {
        "organization": "Northwind Bank",
        "sub_organization": None,
        "employee": "Ada Lovelace",
        "line": "+15550001001",
        "contact": OPTED_IN,
        "channel": "sms",
        "mode": "consent",
        "state": "opted_in",
        "requested_at": "2026-01-06T09:00:00Z",
        "decided_at": "2026-01-06T09:05:00Z",
        "deciding_message": "Yes!",
        "deciding_message_id": opted_in["deciding_message_id"],
        "opt_out_source": None,
        "last_changed_at": "2026-01-06T09:05:00Z",
        "conversation_id": opted_in["conversation_id"],
    }
    assert opted_out["sub_organization"] == "West Region"
    assert opted_out["employee"] == "Bob Smith"
    assert opted_out["line"] == WEST_LINE
    assert opted_out["state"] == "opted_out"
    assert opted_out["deciding_message"] == "stop"
    assert pending["state"] == "pending"
    assert pending["decided_at"] is None
    assert pending["deciding_message"] is None
    assert pending["requested_at"] == "2026-01-05T09:00:00Z"


def test_with_disclaimer_lists_only_disclaimer_records(api: Api, report_data: ReportData) -> None:
    body = _report(api, report_data, mode="disclaimer")
    assert body["total"] == 1
    (row,) = body["rows"]
    assert (row["contact"], row["state"], row["mode"]) == (TOLD, "disclaimer_sent", "disclaimer")


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"state": "opted_in"}, [OPTED_IN]),
        ({"state": "pending"}, [PENDING]),
        ({"from": "2026-01-06"}, [OPTED_OUT, OPTED_IN]),
        ({"to": "2026-01-06"}, [OPTED_IN, PENDING]),
        ({"from": "2026-01-06", "to": "2026-01-06"}, [OPTED_IN]),
        ({"employee": "bob smith"}, [OPTED_OUT]),
        ({"employee": "Nobody"}, []),
    ],
)
def test_filters(
    api: Api, report_data: ReportData, params: dict[str, str], expected: list[str]
) -> None:
    body = _report(api, report_data, **params)
    assert _contacts(body) == expected
    assert body["total"] == len(expected)


def test_org_filter_includes_the_sub_organization_and_its_children(
    api: Api, report_data: ReportData
) -> None:
    west = _report(api, report_data, org=report_data.west_id)
    assert _contacts(west) == [OPTED_OUT]
    root = _report(api, report_data, org=report_data.tenant.org_id)
    assert root["total"] == 3
    child = api.call(
        "POST",
        "/api/v1/orgs",
        report_data.tenant.key,
        201,
        json={"name": "West Coast Desk", "parent_id": report_data.west_id},
    )
    api.call(
        "POST",
        f"/api/v1/orgs/{child['id']}/lines",
        report_data.tenant.key,
        201,
        json={"number": "+15550001003", "employee_name": "Cy Desk"},
    )
    api.settings(report_data.tenant, sms_optin={"mode": "consent"})
    api.call(
        "POST",
        "/api/v1/messages/inbound",
        report_data.tenant.key,
        201,
        json={"from": "+15557770009", "line": "+15550001003", "body": "hi"},
    )
    west = _report(api, report_data, org=report_data.west_id)
    assert sorted(_contacts(west)) == sorted([OPTED_OUT, "+15557770009"])
    assert {r["sub_organization"] for r in west["rows"]} == {"West Region", "West Coast Desk"}


def test_paging(api: Api, report_data: ReportData) -> None:
    first = _report(api, report_data, page_size=2)
    second = _report(api, report_data, page_size=2, page=2)
    assert (first["total"], second["total"]) == (3, 3)
    assert _contacts(first) + _contacts(second) == [OPTED_OUT, OPTED_IN, PENDING]
    assert _report(api, report_data, page=3, page_size=2)["rows"] == []


@pytest.mark.parametrize(
    "params",
    [
        {"mode": "maybe"},
        {"state": "happy"},
        {"from": "yesterday"},
        {"page": 0},
        {"page_size": 501},
        {"format": "pdf"},
    ],
)
def test_bad_parameters_are_422(api: Api, report_data: ReportData, params: dict[str, Any]) -> None:
    body = _report(api, report_data, 422, **params)
    assert body["error"]["code"] == "invalid_request"


def test_reports_privilege_and_tenancy(api: Api, report_data: ReportData) -> None:
    tenant = report_data.tenant
    messaging_key = api.call(
        "POST",
        f"/api/v1/orgs/{tenant.org_id}/api-keys",
        tenant.key,
        201,
        json={"name": "app", "privileges": ["messaging"]},
    )["key"]
    refused = api.call("GET", URL, messaging_key, 403)
    assert refused["error"]["code"] == "missing_privilege"
    other = api.tenant(company="Other Bank", line="+15550009001")
    hidden = api.call("GET", URL, other.key, 404, params={"org": tenant.org_id})
    assert hidden["error"]["code"] == "not_found"
    assert api.call("GET", URL, other.key, 200)["total"] == 0
    operator = api.call("GET", URL, api.operator_key, 422)
    assert operator["error"]["code"] == "org_required"
    assert api.call("GET", URL, api.operator_key, 200, params={"org": tenant.org_id})["total"] == 3
    assert api.call("GET", URL, None, 401)["error"]["code"] == "unauthorized"


def test_csv_export_has_every_filtered_row(api: Api, report_data: ReportData) -> None:
    response = api.client.get(
        URL,
        params={"format": "csv", "mode": "consent"},
        headers={"Authorization": f"Bearer {report_data.tenant.key}"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert 'filename="sms-optin-consent.csv"' in response.headers["content-disposition"]
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:4] == ["Organization", "Sub-organization", "Employee", "Line"]
    assert [row[4] for row in rows[1:]] == [OPTED_OUT, OPTED_IN, PENDING]
    by_contact = {row[4]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert by_contact[OPTED_IN]["State"] == "opted_in"
    assert by_contact[OPTED_IN]["Deciding message"] == "Yes!"
    assert by_contact[OPTED_OUT]["Sub-organization"] == "West Region"
    assert by_contact[PENDING]["Decided at (UTC)"] == ""


def test_csv_neutralizes_formulas(api: Api, report_data: ReportData) -> None:
    tenant = report_data.tenant
    api.settings(tenant, sms_optin={"mode": "consent"})
    api.call(
        "POST",
        f"/api/v1/orgs/{tenant.org_id}/lines",
        tenant.key,
        201,
        json={"number": "+15550001009", "employee_name": "=HYPERLINK(1)"},
    )
    api.call(
        "POST",
        "/api/v1/messages/inbound",
        tenant.key,
        201,
        json={"from": "+15557770042", "line": "+15550001009", "body": "hi"},
    )
    response = api.client.get(
        URL,
        params={"format": "csv", "state": "pending"},
        headers={"Authorization": f"Bearer {tenant.key}"},
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    employees = {row[4]: row[2] for row in rows[1:]}
    assert employees == {"+15557770042": "'=HYPERLINK(1)", PENDING: "Ada Lovelace"}


def test_xlsx_export_opens_with_the_same_rows(api: Api, report_data: ReportData) -> None:
    response = api.client.get(
        URL,
        params={"format": "xlsx", "state": "opted_out"},
        headers={"Authorization": f"Bearer {report_data.tenant.key}"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    sheet = workbook.worksheets[0]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == "Organization"
    assert len(rows) == 2
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["Contact"] == OPTED_OUT
    assert record["Sub-organization"] == "West Region"
    assert record["Employee"] == "Bob Smith"
    assert record["Mode"] == "SMS Opt-in with Consent"
    assert record["Deciding message"] == "stop"
    assert record["Requested at (UTC)"] == "2026-01-07T09:05:00Z"
    assert record["Decided at (UTC)"] == "2026-01-07T09:10:00Z"
