"""Importing and exporting consent decisions (issue 15, points 1 and 2, and bad input)."""

from __future__ import annotations

from sqlalchemy import func, select

from consentline.store.tables import consent_events
from tests.e2e.consents.support import CONTACT, OTHER, import_csv
from tests.e2e.support import state
from tests.helpers import Api, Tenant

HEADER = "line,contact,channel,state,decided_at,source_system,evidence\n"


def _events(api: Api) -> int:
    with api.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(consent_events)).scalar_one())


def _file(tenant: Tenant) -> str:
    return (
        HEADER
        + f"{tenant.line},{CONTACT},sms,opted_out,2025-03-01T10:00:00Z,OldCRM,branch form 17\n"
        + f"{tenant.line},{OTHER},sms,opted_in,2025-02-01T10:00:00Z,OldCRM,signed form 9\n"
        + f"{tenant.line},+15557770003,sms,opted_in,,OldCRM,\n"
    )


def test_an_import_applies_quarantines_and_the_second_changes_nothing(api: Api) -> None:
    tenant = api.tenant()
    first = import_csv(api, tenant, _file(tenant))
    assert first["applied"] == 2
    assert first["unchanged"] == 0
    assert first["quarantined"] == [{"row": 4, "reason": "an opt-in needs decided_at and evidence"}]
    assert first["invalid"] == []
    assert first["dry_run"] is False
    assert state(api, tenant, CONTACT) == "opted_out"
    assert state(api, tenant, OTHER) == "opted_in"
    assert api.outbound(tenant, CONTACT, "Hi")["status"] == "blocked"
    assert api.outbound(tenant, OTHER, "Hi")["status"] == "delivered"
    events = _events(api)
    again = import_csv(api, tenant, _file(tenant))
    assert (again["applied"], again["unchanged"]) == (0, 2)
    assert _events(api) == events


def test_a_dry_run_counts_and_changes_nothing(api: Api) -> None:
    tenant = api.tenant()
    dry = import_csv(api, tenant, _file(tenant), dry_run="true")
    assert (dry["applied"], dry["dry_run"]) == (2, True)
    assert state(api, tenant, CONTACT) == "none"
    assert _events(api) == 0


def test_an_import_never_overrides_a_later_decision(api: Api) -> None:
    tenant = api.tenant()
    api.inbound(tenant, CONTACT, "Hello")
    api.inbound(tenant, CONTACT, "YES")  # opted in now (2026-01-05), later than the file
    old = HEADER + f"{tenant.line},{CONTACT},sms,opted_out,2024-06-01T00:00:00Z,OldCRM,x\n"
    result = import_csv(api, tenant, old)
    assert result["applied"] == 0
    assert len(result["quarantined"]) == 1
    assert "a later change (opted_in at 2026-01-05" in result["quarantined"][0]["reason"]
    assert state(api, tenant, CONTACT) == "opted_in"


def test_an_opted_out_contact_is_opted_in_only_when_allowed(api: Api) -> None:
    tenant = api.tenant()
    api.inbound(tenant, CONTACT, "STOP")
    api.clock.advance(days=1)
    later = api.clock().date().isoformat()
    row = HEADER + f"{tenant.line},{CONTACT},sms,opted_in,{later}T08:00:00Z,Web,form 12\n"
    refused = import_csv(api, tenant, row)
    assert refused["quarantined"] == [
        {"row": 2, "reason": "the contact opted out; opting in needs --allow-opt-in"}
    ]
    assert state(api, tenant, CONTACT) == "opted_out"
    allowed = import_csv(api, tenant, row, allow_opt_in="true")
    assert allowed["applied"] == 1
    assert state(api, tenant, CONTACT) == "opted_in"


def test_an_empty_line_applies_to_every_line_of_the_organization(api: Api) -> None:
    tenant = api.tenant()
    api.call(
        "POST",
        f"/api/v1/orgs/{tenant.org_id}/lines",
        tenant.key,
        201,
        json={"number": "+15550001002", "employee_name": "Grace Hopper"},
    )
    result = import_csv(api, tenant, HEADER + f",{CONTACT},,opted_out,,OldCRM,\n")
    assert result["applied"] == 1
    for line in (tenant.line, "+15550001002"):
        sent = api.call(
            "POST",
            "/api/v1/messages/outbound",
            tenant.key,
            201,
            json={"line": line, "to": CONTACT, "body": "Hi"},
        )
        assert sent["status"] == "blocked"


def test_bad_rows_are_named_by_line_and_nothing_is_applied(api: Api) -> None:
    tenant = api.tenant()
    text = (
        HEADER
        + f"{tenant.line},{CONTACT},sms,opted_out,,OldCRM,\n"
        + f"{tenant.line},12,sms,opted_out,,OldCRM,\n"
        + f"+15559990000,{OTHER},sms,opted_out,,OldCRM,\n"
        + f"{tenant.line},{OTHER},sms,opted_out,2025-02-30T10:00:00Z,OldCRM,\n"
        + f"{tenant.line},{OTHER},fax,maybe,,OldCRM,\n"
        + f"{tenant.line},{OTHER},sms,opted_out,2999-01-01,OldCRM,\n"
        + f"{tenant.line},{OTHER}\n"
    )
    result = import_csv(api, tenant, text)
    assert result["dry_run"] is True
    rows = [problem["row"] for problem in result["invalid"]]
    assert rows == [3, 4, 5, 6, 7, 8]
    reasons = " | ".join(problem["reason"] for problem in result["invalid"])
    assert "'12' is not a complete phone number" in reasons
    assert "No line +15559990000" in reasons
    assert "is not a date and time" in reasons
    assert "state must be opted_in or opted_out" in reasons
    assert "is in the future" in reasons
    assert "expected 7 fields, found 2" in reasons
    assert state(api, tenant, CONTACT) == "none"
    assert _events(api) == 0


def test_a_file_that_cannot_be_read_is_refused_whole(api: Api) -> None:
    tenant = api.tenant()
    wrong = import_csv(api, tenant, "phone,status\n+15557770001,out\n", expect=422)
    assert wrong["error"]["code"] == "unreadable_csv"
    assert "Line 1" in wrong["error"]["message"]
    assert "unknown column(s) 'phone', 'status'" in wrong["error"]["message"]
    binary = api.call(
        "POST",
        f"/api/v1/orgs/{tenant.org_id}/consents/import",
        tenant.key,
        422,
        content=b"PK\x03\x04\x00\x00binary",
    )
    assert "not a CSV text file" in binary["error"]["message"]
    empty = import_csv(api, tenant, "", expect=422)
    assert "empty" in empty["error"]["message"]


def test_a_50_mb_upload_is_refused(api: Api) -> None:
    tenant = api.tenant()
    big = HEADER + (f"{tenant.line},{CONTACT},sms,opted_out,,OldCRM,padding\n" * 900_000)
    assert len(big) > 50_000_000
    refused = import_csv(api, tenant, big, expect=413)
    assert refused["error"]["code"] == "body_too_large"
    assert _events(api) == 0


def test_an_export_reimports_to_the_same_state(api: Api) -> None:
    tenant = api.tenant()
    api.inbound(tenant, CONTACT, "Hello")
    api.inbound(tenant, CONTACT, "YES")
    api.inbound(tenant, OTHER, "STOP")
    import_csv(api, tenant, HEADER + f"{tenant.line},+15557770003,sms,opted_out,,Old,form\n")
    path = f"/api/v1/orgs/{tenant.org_id}/consents/export"
    headers = {"Authorization": f"Bearer {tenant.key}"}
    ledger = api.client.get(path, headers=headers)
    assert ledger.status_code == 200
    assert ledger.headers["content-type"].startswith("text/csv")
    lines = ledger.text.splitlines()
    assert lines[0] == HEADER.strip()
    assert len(lines) == 4
    assert f"{tenant.line},{CONTACT},sms,opted_in," in ledger.text
    assert "message " in ledger.text  # the deciding message is the evidence
    suppression = api.client.get(path, headers=headers, params={"kind": "suppression"})
    assert len(suppression.text.splitlines()) == 3
    assert CONTACT not in suppression.text

    fresh = api.tenant(company="Successor Bank", line=tenant.line.replace("1001", "1009"))
    moved = ledger.text.replace(tenant.line, fresh.line)
    imported = import_csv(api, fresh, moved)
    assert (imported["applied"], imported["quarantined"], imported["invalid"]) == (3, [], [])
    again = api.client.get(
        f"/api/v1/orgs/{fresh.org_id}/consents/export",
        headers={"Authorization": f"Bearer {fresh.key}"},
    )
    states = sorted(row.split(",")[3] for row in again.text.splitlines()[1:])
    assert states == ["opted_in", "opted_out", "opted_out"]
    assert import_csv(api, fresh, again.text)["unchanged"] == 3
