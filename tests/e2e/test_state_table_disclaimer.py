"""SPEC §3.2 (Opt-in Disclaimer), row by row, through the HTTP API; group sends; and the
§3.4 rules that apply when a record made under consent mode is read in disclaimer mode."""

from __future__ import annotations

from typing import Any

from tests.e2e.support import (
    CONTACT,
    DISCLAIMER,
    MO_OPTOUT_CONFIRMATION,
    MO_OPTOUT_NOTICE,
    MT_ACCEPTED_NOTICE,
    MT_CONFIRMATION,
    MT_OPTOUT_CONFIRMATION,
    MT_OPTOUT_NOTICE,
    MT_REQUEST,
    MT_REQUESTED_NOTICE,
    OTHER_CONTACT,
    THIRD_CONTACT,
    phones,
    set_mode,
    state,
    status_of,
    user_statuses,
)
from tests.helpers import Api, Tenant


def _disclaimer_tenant(api: Api, *, group: bool = False) -> Tenant:
    return api.tenant(mode="disclaimer", group=group)


def _group_send(api: Api, tenant: Tenant, to: list[str], body: str) -> Any:
    return api.client.post(
        "/api/v1/messages/outbound",
        headers={"Authorization": f"Bearer {tenant.key}"},
        json={"line": tenant.line, "to": to, "body": body},
    )


# --- none -----------------------------------------------------------------------------------


def test_none_employee_sends_disclaimer_first_then_the_text(api: Api) -> None:
    """§3.2 row: none | employee sends."""
    tenant = _disclaimer_tenant(api)

    answer = api.outbound(tenant, CONTACT, "Hello, this is Ada from Northwind")

    assert answer["status"] == "delivered"
    assert answer["consent"]["state"] == "disclaimer_sent"
    assert answer["consent"]["mode"] == "disclaimer"
    contact_phone, employee_phone = phones(api, tenant)
    assert contact_phone == [DISCLAIMER, "Hello, this is Ada from Northwind"]
    assert employee_phone == []
    view = api.conversation(tenant, CONTACT)
    assert view["consent"]["state"] == "disclaimer_sent"
    assert [(m["kind"], m["template"], m["status"]) for m in view["messages"]] == [
        ("auto", "disclaimer", "delivered"),
        ("user", None, "delivered"),
    ]


def test_none_contact_sends_text_delivered_and_disclaimer_to_contact(api: Api) -> None:
    """§3.2 row: none | contact sends."""
    tenant = _disclaimer_tenant(api)

    answer = api.inbound(tenant, CONTACT, "Hi, is this the bank?")

    assert answer["status"] == "delivered"
    assert answer["consent"]["state"] == "disclaimer_sent"
    contact_phone, employee_phone = phones(api, tenant)
    assert contact_phone == [DISCLAIMER]
    assert employee_phone == ["Hi, is this the bank?"]
    assert user_statuses(api, tenant) == [("Hi, is this the bank?", "delivered")]
    assert state(api, tenant) == "disclaimer_sent"


def test_none_contact_sends_opt_out_keyword(api: Api) -> None:
    """§3.2 row: none / disclaimer_sent | contact sends opt-out keyword (from none: the
    contact sent the first message, so the mt_ texts)."""
    tenant = _disclaimer_tenant(api)

    answer = api.inbound(tenant, CONTACT, "STOP")

    assert answer["status"] == "keyword"
    assert answer["consent"]["state"] == "opted_out"
    assert answer["consent"]["evidence_message_id"] == answer["id"]
    contact_phone, employee_phone = phones(api, tenant)
    assert contact_phone == [MT_OPTOUT_CONFIRMATION]
    assert employee_phone == [MT_OPTOUT_NOTICE]
    assert user_statuses(api, tenant) == [("STOP", "keyword")]


# --- disclaimer_sent ------------------------------------------------------------------------


def test_disclaimer_sent_any_text_either_way_is_delivered(api: Api) -> None:
    """§3.2 row: disclaimer_sent | any text either way: delivered, no second disclaimer."""
    tenant = _disclaimer_tenant(api)
    api.outbound(tenant, CONTACT, "Hello")

    answers = [
        api.inbound(tenant, CONTACT, "Hi Ada"),
        api.outbound(tenant, CONTACT, "How can I help?"),
        api.inbound(tenant, CONTACT, "YES"),
        api.outbound(tenant, CONTACT, "STOP"),
    ]

    assert [(a["status"], a["consent"]["state"]) for a in answers] == [
        ("delivered", "disclaimer_sent")
    ] * 4
    contact_phone, employee_phone = phones(api, tenant)
    assert contact_phone == [DISCLAIMER, "Hello", "How can I help?", "STOP"]
    assert employee_phone == ["Hi Ada", "YES"]


def test_disclaimer_sent_contact_opt_out_after_employee_started_uses_mo_texts(
    api: Api,
) -> None:
    """§3.2 row: none / disclaimer_sent | contact sends opt-out keyword: the employee sent
    the first message, so the mo_ texts."""
    tenant = _disclaimer_tenant(api)
    api.outbound(tenant, CONTACT, "Hello")
    api.inbound(tenant, CONTACT, "Who is this?")

    answer = api.inbound(tenant, CONTACT, "opt out")

    assert (answer["status"], answer["consent"]["state"]) == ("keyword", "opted_out")
    contact_phone, employee_phone = phones(api, tenant)
    assert contact_phone == [DISCLAIMER, "Hello", MO_OPTOUT_CONFIRMATION]
    assert employee_phone == ["Who is this?", MO_OPTOUT_NOTICE]


def test_disclaimer_sent_contact_opt_out_after_contact_started_uses_mt_texts(
    api: Api,
) -> None:
    """§3.2 row: none / disclaimer_sent | contact sends opt-out keyword: the contact sent
    the first message, so the mt_ texts even after the employee wrote too."""
    tenant = _disclaimer_tenant(api)
    api.inbound(tenant, CONTACT, "Hello?")
    api.outbound(tenant, CONTACT, "Hi, Ada here")

    answer = api.inbound(tenant, CONTACT, "Stop.")

    assert (answer["status"], answer["consent"]["state"]) == ("keyword", "opted_out")
    contact_phone, employee_phone = phones(api, tenant)
    assert contact_phone == [DISCLAIMER, "Hi, Ada here", MT_OPTOUT_CONFIRMATION]
    assert employee_phone == ["Hello?", MT_OPTOUT_NOTICE]


# --- opted_out ------------------------------------------------------------------------------


def test_opted_out_employee_sends_is_blocked(api: Api) -> None:
    """§3.2 row: opted_out | employee sends: blocked."""
    tenant = _disclaimer_tenant(api)
    api.outbound(tenant, CONTACT, "Hello")
    api.inbound(tenant, CONTACT, "STOP")
    before = phones(api, tenant)

    answer = api.outbound(tenant, CONTACT, "One more thing")

    assert answer["status"] == "blocked"
    assert answer["reason"] == "opted_out"
    assert answer["consent"]["state"] == "opted_out"
    assert phones(api, tenant) == before
    assert status_of(api, tenant, "One more thing") == "blocked"


def test_opted_out_contact_sends_other_text_is_delivered_with_disclaimer_again(
    api: Api,
) -> None:
    """§3.2 row: opted_out | contact sends anything but an opt-out keyword."""
    tenant = _disclaimer_tenant(api)
    api.outbound(tenant, CONTACT, "Hello")
    api.inbound(tenant, CONTACT, "STOP")
    before_contact, before_employee = phones(api, tenant)

    answer = api.inbound(tenant, CONTACT, "Actually, please call me")

    assert answer["status"] == "delivered"
    assert answer["consent"]["state"] == "disclaimer_sent"
    contact_phone, employee_phone = phones(api, tenant)
    assert contact_phone[len(before_contact) :] == [DISCLAIMER]
    assert employee_phone[len(before_employee) :] == ["Actually, please call me"]
    assert api.outbound(tenant, CONTACT, "Calling now")["status"] == "delivered"


def test_opted_out_contact_sends_opt_in_word_is_delivered_with_disclaimer_again(
    api: Api,
) -> None:
    """§3.2 row: opted_out | contact sends anything but an opt-out keyword (a YES too)."""
    tenant = _disclaimer_tenant(api)
    api.inbound(tenant, CONTACT, "STOP")
    before_contact, before_employee = phones(api, tenant)

    answer = api.inbound(tenant, CONTACT, "YES")

    assert answer["status"] == "delivered"
    assert answer["consent"]["state"] == "disclaimer_sent"
    contact_phone, employee_phone = phones(api, tenant)
    assert contact_phone[len(before_contact) :] == [DISCLAIMER]
    assert employee_phone[len(before_employee) :] == ["YES"]


def test_opted_out_contact_sends_opt_out_keyword_is_consumed_silently(api: Api) -> None:
    """§3.2 row: opted_out | contact sends an opt-out keyword: consumed, nothing sent."""
    tenant = _disclaimer_tenant(api)
    api.inbound(tenant, CONTACT, "STOP")
    before = phones(api, tenant)

    answer = api.inbound(tenant, CONTACT, "STOP")

    assert (answer["status"], answer["consent"]["state"]) == ("keyword", "opted_out")
    assert phones(api, tenant) == before
    assert user_statuses(api, tenant) == [("STOP", "keyword"), ("STOP", "keyword")]


# --- group sends ----------------------------------------------------------------------------


def test_group_send_disclaimer_to_each_member_not_yet_told(api: Api) -> None:
    """§3.2 group: each member not yet told gets the disclaimer; the answer is
    {id, status, recipients: [{contact, status}]} with members in E.164."""
    tenant = _disclaimer_tenant(api, group=True)
    api.outbound(tenant, CONTACT, "Hello")  # already told

    response = _group_send(api, tenant, ["(555) 777-0001", "555.777.0002"], "Branch closes at 3")

    assert response.status_code == 201
    answer = response.json()
    assert answer["id"]
    assert answer["status"] == "delivered"
    recipients = {r["contact"]: r["status"] for r in answer["recipients"]}
    assert recipients == {CONTACT: "delivered", OTHER_CONTACT: "delivered"}
    assert phones(api, tenant, CONTACT)[0] == [DISCLAIMER, "Hello", "Branch closes at 3"]
    assert phones(api, tenant, OTHER_CONTACT)[0] == [DISCLAIMER, "Branch closes at 3"]
    assert state(api, tenant, OTHER_CONTACT) == "disclaimer_sent"

    again = _group_send(api, tenant, [CONTACT, OTHER_CONTACT], "Reopens at 9")
    assert again.status_code == 201
    assert phones(api, tenant, OTHER_CONTACT)[0] == [
        DISCLAIMER,
        "Branch closes at 3",
        "Reopens at 9",
    ]


def test_group_send_with_an_opted_out_member_is_refused_naming_them(api: Api) -> None:
    """§3.2 group: a group send including an opted-out member is refused (409), naming the
    members who opted out; nobody gets anything."""
    tenant = _disclaimer_tenant(api, group=True)
    api.inbound(tenant, OTHER_CONTACT, "STOP")
    api.inbound(tenant, THIRD_CONTACT, "STOP")
    before = {c: phones(api, tenant, c) for c in (CONTACT, OTHER_CONTACT, THIRD_CONTACT)}
    before_views = {c: api.conversation(tenant, c) for c in (CONTACT, OTHER_CONTACT)}

    response = _group_send(api, tenant, [CONTACT, OTHER_CONTACT, THIRD_CONTACT], "Hello all")

    assert response.status_code == 409
    error = response.json()["error"]
    assert set(error) == {"code", "message"}
    assert OTHER_CONTACT in error["message"]
    assert THIRD_CONTACT in error["message"]
    assert CONTACT not in error["message"]
    assert {c: phones(api, tenant, c) for c in before} == before
    assert {c: api.conversation(tenant, c) for c in before_views} == before_views


def test_group_send_while_group_messaging_off_is_refused(api: Api) -> None:
    """§3.2 group: a group send while group messaging is off is refused (409)."""
    tenant = _disclaimer_tenant(api, group=False)

    response = _group_send(api, tenant, [CONTACT, OTHER_CONTACT], "Hello all")

    assert response.status_code == 409
    assert set(response.json()["error"]) == {"code", "message"}
    assert phones(api, tenant, CONTACT) == ([], [])
    assert api.conversation(tenant, CONTACT)["messages"] == []


# --- §3.4 under disclaimer mode -------------------------------------------------------------


def test_mode_change_pending_counts_as_none_under_disclaimer(api: Api) -> None:
    """§3.4: under disclaimer mode a pending record counts as none; the message held under
    consent mode stays held (a settings change never releases it)."""
    tenant = api.tenant(mode="consent")
    api.inbound(tenant, CONTACT, "held under consent")
    set_mode(api, tenant, enabled=True, mode="disclaimer")

    answer = api.inbound(tenant, CONTACT, "hello under disclaimer")

    assert answer["status"] == "delivered"
    assert answer["consent"]["state"] == "disclaimer_sent"
    contact_phone, employee_phone = phones(api, tenant)
    assert contact_phone == [MT_REQUEST, DISCLAIMER]
    assert employee_phone == [MT_REQUESTED_NOTICE, "hello under disclaimer"]
    assert status_of(api, tenant, "held under consent") == "held"


def test_mode_change_pending_counts_as_none_under_disclaimer_for_employee(api: Api) -> None:
    """§3.4: under disclaimer mode a pending record counts as none (employee sends: the
    disclaimer first, then the text)."""
    tenant = api.tenant(mode="consent")
    api.outbound(tenant, CONTACT, "held under consent")
    set_mode(api, tenant, enabled=True, mode="disclaimer")

    answer = api.outbound(tenant, CONTACT, "sent under disclaimer")

    assert (answer["status"], answer["consent"]["state"]) == ("delivered", "disclaimer_sent")
    contact_phone, _ = phones(api, tenant)
    assert contact_phone[-2:] == [DISCLAIMER, "sent under disclaimer"]
    assert "held under consent" not in contact_phone


def test_mode_change_opted_in_counts_as_disclaimer_sent_under_disclaimer(api: Api) -> None:
    """§3.4: under disclaimer mode opted_in counts as disclaimer_sent (no disclaimer);
    records keep their state, so consent still holds on the way back."""
    tenant = api.tenant(mode="consent")
    api.inbound(tenant, CONTACT, "Hi")
    api.inbound(tenant, CONTACT, "YES")
    before_contact, before_employee = phones(api, tenant)
    set_mode(api, tenant, enabled=True, mode="disclaimer")

    out = api.outbound(tenant, CONTACT, "No disclaimer needed")
    back = api.inbound(tenant, CONTACT, "Thanks")

    assert out["status"] == "delivered"
    assert back["status"] == "delivered"
    assert out["consent"]["state"] == "opted_in"
    contact_phone, employee_phone = phones(api, tenant)
    assert contact_phone[len(before_contact) :] == ["No disclaimer needed"]
    assert employee_phone[len(before_employee) :] == ["Thanks"]
    assert contact_phone[:2] == [MT_REQUEST, MT_CONFIRMATION]
    assert employee_phone[:2] == [MT_REQUESTED_NOTICE, MT_ACCEPTED_NOTICE]

    set_mode(api, tenant, enabled=True, mode="consent")
    assert api.outbound(tenant, CONTACT, "Still opted in")["status"] == "delivered"
    assert state(api, tenant) == "opted_in"


def test_mode_change_opted_out_holds_under_disclaimer(api: Api) -> None:
    """§3.4: opted_out holds in every mode: opted out under consent, blocked under
    disclaimer."""
    tenant = api.tenant(mode="consent")
    api.inbound(tenant, CONTACT, "STOP")
    before = phones(api, tenant)
    set_mode(api, tenant, enabled=True, mode="disclaimer")

    answer = api.outbound(tenant, CONTACT, "Hello again")

    assert (answer["status"], answer["reason"]) == ("blocked", "opted_out")
    assert phones(api, tenant) == before
