"""Issue 14: the root organization's ``consent_scope`` through the HTTP API, across two lines
(Ada's and Bob's, in a sub-organization) and two channels (SMS and WhatsApp)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.support import CONTACT, OTHER_CONTACT
from tests.helpers import Api, Tenant

BOB_LINE = "+15550001002"
ADA_LINE = "+15550001001"


def _two_lines(api: Api, scope: str, mode: str = "consent") -> tuple[Tenant, Tenant]:
    ada = api.tenant(mode=mode)
    west = api.call(
        "POST",
        "/api/v1/orgs",
        ada.key,
        201,
        json={"name": "West Region", "parent_id": ada.org_id},
    )
    api.call(
        "POST",
        f"/api/v1/orgs/{west['id']}/lines",
        ada.key,
        201,
        json={"number": BOB_LINE, "employee_name": "Bob Smith"},
    )
    api.settings(ada, consent_scope=scope)
    return ada, Tenant(ada.org_id, ada.key, BOB_LINE, "Bob Smith", ada.company)


def _opted_out_on_ada(api: Api, ada: Tenant, channel: str = "sms") -> str:
    answer = api.inbound(ada, CONTACT, "STOP", channel=channel)
    assert answer["consent"]["state"] == "opted_out"
    return str(answer["consent"]["decided_at"])


def test_line_scope_keeps_a_decision_to_its_own_line(api: Api) -> None:
    """The default, SPEC §3: Bob's send to a contact who stopped Ada asks for consent."""
    ada, bob = _two_lines(api, "line")
    _opted_out_on_ada(api, ada)

    answer = api.outbound(bob, CONTACT, "Hello from Bob")

    assert (answer["status"], answer["consent"]["state"]) == ("held", "pending")
    assert "blocked_by" not in answer["consent"]


def test_organization_scope_blocks_every_line_on_that_channel(api: Api) -> None:
    """Issue 14 row: organization | opted out on line A, employee of line B sends → blocked
    (status "blocked", reason "opted_out"), B's record unchanged, nothing sent."""
    ada, bob = _two_lines(api, "organization")
    decided_at = _opted_out_on_ada(api, ada)
    api.deliver()

    answer = api.outbound(bob, CONTACT, "Hello from Bob")

    assert (answer["status"], answer["reason"]) == ("blocked", "opted_out")
    assert answer["consent"]["state"] == "none"
    assert answer["consent"]["blocked_by"] == {
        "line": ADA_LINE,
        "channel": "sms",
        "decided_at": decided_at,
    }
    api.deliver()
    assert api.phone(bob, CONTACT, "contact") == []
    view = api.conversation(bob, CONTACT)
    assert view["consent"]["blocked_by"]["line"] == ADA_LINE
    assert [(m["body"], m["status"]) for m in view["messages"]] == [("Hello from Bob", "blocked")]
    # Another contact of Bob's, and the same contact on WhatsApp, are not covered.
    assert api.outbound(bob, OTHER_CONTACT, "Hi")["status"] == "held"
    assert api.outbound(bob, CONTACT, "Hi", channel="whatsapp")["status"] == "held"


def test_organization_all_channels_blocks_whatsapp_too(api: Api) -> None:
    """Issue 14 row: organization_all_channels | opted out by SMS on line A, employee of
    line B sends on WhatsApp → blocked (the FCC's revoke-all)."""
    ada, bob = _two_lines(api, "organization_all_channels")
    _opted_out_on_ada(api, ada)

    answer = api.outbound(bob, CONTACT, "Hello on WhatsApp", channel="whatsapp")

    assert (answer["status"], answer["reason"]) == ("blocked", "opted_out")
    assert answer["consent"]["blocked_by"]["channel"] == "sms"
    # Ada's own line on WhatsApp too.
    assert api.outbound(ada, CONTACT, "Hi", channel="whatsapp")["status"] == "blocked"


def test_organization_scope_blocks_an_already_opted_in_line(api: Api) -> None:
    """The opt-out is newer than Bob's opt-in: Bob's sends stop until the contact opts in
    again on Bob's line (an opt-in is asked per line)."""
    ada, bob = _two_lines(api, "organization")
    api.inbound(bob, CONTACT, "Hi Bob")
    api.clock.advance(minutes=1)
    assert api.inbound(bob, CONTACT, "YES")["consent"]["state"] == "opted_in"
    assert api.outbound(bob, CONTACT, "Statement ready")["status"] == "delivered"
    api.clock.advance(minutes=1)
    _opted_out_on_ada(api, ada)

    assert api.outbound(bob, CONTACT, "Are you there?")["status"] == "blocked"

    # The contact writes to Bob again and opts in there: Bob's line is open, Ada's not.
    api.clock.advance(minutes=1)
    api.inbound(bob, CONTACT, "STOP")
    api.clock.advance(minutes=1)
    api.inbound(bob, CONTACT, "YES")
    assert api.outbound(bob, CONTACT, "Welcome back")["status"] == "delivered"
    assert api.outbound(ada, CONTACT, "Hello")["status"] == "blocked"


def test_disclaimer_mode_group_send_names_members_blocked_elsewhere(api: Api) -> None:
    ada, bob = _two_lines(api, "organization", mode="disclaimer")
    api.settings(ada, group_messaging={"enabled": True})
    _opted_out_on_ada(api, ada)

    answer = api.outbound(bob, [CONTACT, OTHER_CONTACT], "Branch closes early", expect=409)

    assert CONTACT in answer["error"]["message"]
    assert OTHER_CONTACT not in answer["error"]["message"]


@pytest.mark.parametrize("scope", ["organization", "organization_all_channels"])
def test_changing_the_scope_is_recorded_in_the_settings_history(api: Api, scope: str) -> None:
    ada, _ = _two_lines(api, "line")

    answer = api.settings(ada, consent_scope=scope)

    assert answer["consent_scope"] == scope
    history: list[dict[str, Any]] = api.call(
        "GET", f"/api/v1/orgs/{ada.org_id}/settings/history", ada.key, 200
    )
    changes = [(h["setting"], h["old_value"], h["new_value"]) for h in history]
    assert ("consent_scope", "line", scope) in changes


def test_scope_is_a_root_setting(api: Api) -> None:
    ada, _ = _two_lines(api, "line")
    sub = api.call("GET", f"/api/v1/orgs/{ada.org_id}/settings", ada.key, 200)
    west_id = api.call(
        "POST", "/api/v1/orgs", ada.key, 201, json={"name": "East", "parent_id": ada.org_id}
    )["id"]

    answer = api.call(
        "PATCH",
        f"/api/v1/orgs/{west_id}/settings",
        ada.key,
        403,
        json={"consent_scope": "organization"},
    )

    assert answer["error"]["code"] == "inherited_setting"
    assert api.call("GET", f"/api/v1/orgs/{ada.org_id}/settings", ada.key, 200) == sub


def test_sms_optin_report_names_the_blocking_decision(api: Api) -> None:
    ada, bob = _two_lines(api, "organization")
    api.outbound(bob, CONTACT, "Hello from Bob")  # pending on Bob's line
    api.clock.advance(minutes=1)
    decided_at = _opted_out_on_ada(api, ada)

    body = api.call("GET", "/api/v1/reports/sms-optin", ada.key, 200)

    rows = {row["line"]: row for row in body["rows"]}
    assert rows[BOB_LINE]["blocked_by"] == {
        "line": ADA_LINE,
        "channel": "sms",
        "decided_at": decided_at,
    }
    assert "blocked_by" not in rows[ADA_LINE]
