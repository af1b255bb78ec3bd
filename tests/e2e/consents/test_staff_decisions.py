"""Decisions recorded by staff, and the four-eyes re-opt-in (issue 15, points 3 and 4)."""

from __future__ import annotations

from tests.e2e.consents.support import CONTACT, record, setup_key
from tests.e2e.support import MT_OPTOUT_CONFIRMATION, phones, state, status_of
from tests.helpers import Api


def test_a_staff_opt_out_takes_effect_at_once_and_blocks_the_employee(api: Api) -> None:
    tenant = api.tenant()
    api.inbound(tenant, CONTACT, "Hello")  # pending, the message held
    made = record(api, tenant, 201, state="opted_out", line=tenant.line, method="branch")
    assert made["state"] == "opted_out"
    assert made["source"] == "staff"
    assert made["method"] == "branch"
    assert made["recorded_by"].startswith("api-key:")
    assert made["records"][0]["consent"]["state"] == "opted_out"
    assert state(api, tenant) == "opted_out"
    assert status_of(api, tenant, "Hello") == "discarded"
    sent = api.outbound(tenant, CONTACT, "Are you there?")
    assert (sent["status"], sent["reason"]) == ("blocked", "opted_out")
    contact_phone, _ = phones(api, tenant)
    # Only the opt-in request reached the contact: no confirmation unless asked for.
    assert MT_OPTOUT_CONFIRMATION not in contact_phone


def test_the_confirmation_goes_out_only_when_asked_for(api: Api) -> None:
    tenant = api.tenant()
    record(api, tenant, 201, state="opted_out", notify_contact=True)
    contact_phone, _ = phones(api, tenant)
    assert contact_phone == [MT_OPTOUT_CONFIRMATION]


def test_the_staff_record_is_archived_with_who_recorded_it(api: Api) -> None:
    tenant = api.tenant()
    record(api, tenant, 201, state="opted_out", evidence_url="https://crm.example/case/7")
    proof = api.call(
        "GET",
        "/api/v1/reports/consent-evidence",
        tenant.key,
        200,
        params={"line": tenant.line, "contact": CONTACT},
    )
    assert proof["archive"]["intact"] is True
    assert proof["history"][-1]["new_state"] == "opted_out"
    from sqlalchemy import select

    from consentline.store.tables import consent_events

    with api.engine.connect() as conn:
        event = conn.execute(select(consent_events).order_by(consent_events.c.id.desc())).first()
    assert event is not None
    assert event.source == "staff"
    assert '"recorded_by":"api-key:' in event.details
    assert "https://crm.example/case/7" in event.details


def test_opting_in_needs_a_second_person(api: Api) -> None:
    tenant = api.tenant()
    api.inbound(tenant, CONTACT, "STOP")
    pending = record(api, tenant, 202, state="opted_in", method="letter")
    assert pending["status"] == "pending"
    assert state(api, tenant) == "opted_out"  # nothing changes before approval
    rid = pending["request_id"]
    path = f"/api/v1/orgs/{tenant.org_id}/consent-requests/{rid}"
    refused = api.call("POST", f"{path}/approve", tenant.key, 403)
    assert refused["error"]["code"] == "four_eyes"
    assert state(api, tenant) == "opted_out"
    approved = api.call("POST", f"{path}/approve", setup_key(api, tenant, "Second officer"), 200)
    assert approved["status"] == "approved"
    assert approved["records"][0]["consent"]["state"] == "opted_in"
    assert state(api, tenant) == "opted_in"
    assert api.outbound(tenant, CONTACT, "Welcome back")["status"] == "delivered"
    again = api.call("POST", f"{path}/approve", setup_key(api, tenant, "Third"), 409)
    assert again["error"]["code"] == "request_closed"


def test_a_rejected_request_changes_nothing(api: Api) -> None:
    tenant = api.tenant()
    api.inbound(tenant, CONTACT, "STOP")
    rid = record(api, tenant, 202, state="opted_in")["request_id"]
    path = f"/api/v1/orgs/{tenant.org_id}/consent-requests/{rid}"
    rejected = api.call("POST", f"{path}/reject", setup_key(api, tenant, "Second"), 200)
    assert rejected["status"] == "rejected"
    api.call("POST", f"{path}/approve", setup_key(api, tenant, "Third"), 409)
    assert state(api, tenant) == "opted_out"
    listed = api.call("GET", f"/api/v1/orgs/{tenant.org_id}/consent-requests", tenant.key, 200)
    assert [(r["request_id"], r["status"]) for r in listed] == [(rid, "rejected")]


def test_recording_needs_setup_and_stays_inside_the_organization(api: Api) -> None:
    tenant = api.tenant()
    other = api.tenant(company="Other Bank", line="+15550009999")
    reports_only = api.call(
        "POST",
        f"/api/v1/orgs/{tenant.org_id}/api-keys",
        tenant.key,
        201,
        json={"name": "auditor", "privileges": ["reports"]},
    )["key"]
    refused = record(api, tenant, 403, key=reports_only, state="opted_out")
    assert refused["error"]["code"] == "missing_privilege"
    record(api, other, 404, key=tenant.key, state="opted_out")
    unknown = record(api, tenant, 404, state="opted_out", line="+15550000000")
    assert unknown["error"]["code"] == "unknown_line"
    bad = record(api, tenant, 422, state="opted_out", contact="not a number")
    assert bad["error"]["code"] == "invalid_phone_number"
    record(api, tenant, 422, state="opted_out", method="pigeon")
    assert state(api, tenant) == "none"


def test_staff_and_keyword_opt_outs_keep_their_source_in_the_revocation_clock(api: Api) -> None:
    tenant = api.tenant()
    api.inbound(tenant, CONTACT, "Hello")
    api.inbound(tenant, CONTACT, "STOP")
    record(api, tenant, 201, state="opted_out", contact="+15557770009", line=tenant.line)
    report = api.call("GET", "/api/v1/reports/revocations", tenant.key, 200)
    sources = sorted((row["contact"], row["source"]) for row in report["rows"])
    assert sources == [(CONTACT, "keyword"), ("+15557770009", "staff")]
    assert report["summary"]["by_source"]["staff"] == 1
    assert report["summary"]["by_source"]["keyword"] == 1
    # Each step of a four-eyes request is in the tamper-evident audit log.
    asked = record(api, tenant, 202, state="opted_in", line=tenant.line)
    other = setup_key(api, tenant, "Second approver")
    path = f"/api/v1/orgs/{tenant.org_id}/consent-requests/{asked['request_id']}/approve"
    api.call("POST", path, other, 200)
    log = api.call(
        "GET",
        f"/api/v1/orgs/{tenant.org_id}/audit-log",
        tenant.key,
        200,
        params={"action": "consent"},
    )
    assert [item["action"] for item in log["items"]] == [
        "consent.opt_in_approved",
        "consent.opt_in_requested",
    ]
