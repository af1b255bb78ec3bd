"""GET /api/v1/reports/consent-evidence: the proof of one consent decision, JSON and HTML."""

from __future__ import annotations

import html
from typing import Any

from sqlalchemy import update

from consentline.store.tables import messages
from tests.e2e.reports.conftest import OPTED_IN, OPTED_OUT, WEST_LINE, ReportData
from tests.e2e.support import MT_REQUEST
from tests.helpers import Api

URL = "/api/v1/reports/consent-evidence"


def _evidence(api: Api, data: ReportData, contact: str, expect: int = 200, **extra: Any) -> Any:
    params = {"line": data.tenant.line, "contact": contact, **extra}
    return api.call("GET", URL, data.tenant.key, expect, params=params)


def test_json_proof_of_an_opt_in(api: Api, report_data: ReportData) -> None:
    proof = _evidence(api, report_data, OPTED_IN)
    assert proof["organization"] == "Northwind Bank"
    assert (proof["employee"], proof["line"], proof["contact"]) == (
        "Ada Lovelace",
        "+15550001001",
        OPTED_IN,
    )
    assert proof["consent"]["state"] == "opted_in"
    assert proof["consent"]["mode"] == "consent"
    assert proof["consent"]["initiated_by"] == "contact"
    assert [r["body"] for r in proof["requests"]] == [MT_REQUEST]
    assert proof["requests"][0]["at"] == "2026-01-06T09:00:00Z"
    assert proof["deciding_message"]["body"] == "Yes!"
    assert proof["deciding_message"]["sender"] == "contact"
    assert proof["deciding_message"]["at"] == "2026-01-06T09:05:00Z"
    changes = [(h["old_state"], h["new_state"]) for h in proof["history"]]
    assert changes == [("none", "pending"), ("pending", "opted_in")]
    assert proof["history"][0]["trigger"]["body"] == "Hello"
    assert proof["archive"] == {
        "intact": True,
        "problem": None,
        "records": 15,
    }  # 6 messages, 7 statuses, 2 changes


def test_an_employee_initiated_opt_out_from_a_sub_organization(
    api: Api, report_data: ReportData
) -> None:
    params = {"line": WEST_LINE, "contact": OPTED_OUT}
    proof = api.call("GET", URL, report_data.tenant.key, 200, params=params)
    assert proof["sub_organization"] == "West Region"
    assert proof["consent"]["initiated_by"] == "employee"
    assert proof["requests"][0]["template"] == "mo_request"
    assert proof["deciding_message"]["body"] == "stop"
    assert proof["history"][-1]["new_state"] == "opted_out"


def test_printable_html_shows_the_request_and_decision(api: Api, report_data: ReportData) -> None:
    response = api.client.get(
        URL,
        params={"line": report_data.tenant.line, "contact": OPTED_IN, "format": "html"},
        headers={"Authorization": f"Bearer {report_data.tenant.key}"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = html.unescape(response.text)
    assert MT_REQUEST in page
    assert "Yes!" in page
    assert "@page" in response.text
    assert "is intact" in page


def test_a_tampered_conversation_shows_in_its_proof(api: Api, report_data: ReportData) -> None:
    with api.engine.begin() as conn:
        conn.execute(update(messages).where(messages.c.body == "Yes!").values(body="No"))
    proof = _evidence(api, report_data, OPTED_IN)
    assert proof["archive"]["intact"] is False
    assert "hash mismatch" in proof["archive"]["problem"]


def test_a_contact_never_seen_has_an_empty_proof(api: Api, report_data: ReportData) -> None:
    proof = _evidence(api, report_data, "+15557779999")
    assert proof["consent"] is None
    assert proof["history"] == []


def test_other_roots_get_404(api: Api, report_data: ReportData) -> None:
    other = api.tenant(company="Other Bank", line="+15550009001")
    params = {"line": report_data.tenant.line, "contact": OPTED_IN}
    assert api.call("GET", URL, other.key, 404, params=params)["error"]["code"] == "unknown_line"
