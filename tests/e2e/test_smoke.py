"""The contact-initiated YES flow through the HTTP API, end to end."""

from __future__ import annotations

from consentline.domain.templates import DEFAULT_TEMPLATES
from tests.helpers import Api

CONTACT = "+15557770001"


def test_contact_initiated_yes_flow_releases_the_held_message(api: Api) -> None:
    tenant = api.tenant()

    first = api.inbound(tenant, "(555) 777-0001", "Hi Ada, can we talk?")
    assert first["status"] == "held"
    assert first["consent"]["state"] == "pending"

    decision = api.inbound(tenant, CONTACT, " Yes! ")
    assert decision["status"] == "keyword"
    assert decision["consent"]["state"] == "opted_in"
    assert decision["consent"]["evidence_message_id"] == decision["id"]

    api.deliver()
    assert api.phone(tenant, CONTACT, "contact") == [
        DEFAULT_TEMPLATES["mt_request"]
        .replace("<Employee Name>", "Ada Lovelace")
        .replace("<Opt-in Text>", "YES")
        .replace("<Opt-out Text>", "STOP"),
        "[Auto Message] Opt in confirmed. To opt out at any time, reply STOP.",
    ]
    assert api.phone(tenant, CONTACT, "employee") == [
        DEFAULT_TEMPLATES["mt_requested_notice"],
        DEFAULT_TEMPLATES["mt_accepted_notice"],
        "Hi Ada, can we talk?",
    ]
    statuses = [(m["body"], m["status"]) for m in api.messages(tenant, CONTACT)]
    assert ("Hi Ada, can we talk?", "delivered") in statuses
