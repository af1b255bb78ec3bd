"""SPEC §3.1 (Opt-in with Consent), row by row, through the HTTP API; and the §3.4 rules
that apply when a record made under another mode is read in consent mode."""

from __future__ import annotations

import pytest

from tests.e2e.support import (
    CONTACT,
    DISCLAIMER,
    MO_ACCEPTED_NOTICE,
    MO_CONFIRMATION,
    MO_OPTOUT_CONFIRMATION,
    MO_OPTOUT_NOTICE,
    MO_REQUEST,
    MO_REQUESTED_NOTICE,
    MT_ACCEPTED_NOTICE,
    MT_CONFIRMATION,
    MT_OPTOUT_CONFIRMATION,
    MT_OPTOUT_NOTICE,
    MT_REQUEST,
    MT_REQUESTED_NOTICE,
    deliveries,
    phones,
    run_housekeeping,
    set_mode,
    state,
    status_of,
    user_statuses,
)
from tests.helpers import Api, Tenant


def _consent_tenant(api: Api) -> Tenant:
    return api.tenant(mode="consent")


def _pending_from_contact(api: Api, tenant: Tenant, body: str = "Hi Ada, can we talk?") -> None:
    answer = api.inbound(tenant, CONTACT, body)
    assert (answer["status"], answer["consent"]["state"]) == ("held", "pending")


def _pending_from_employee(api: Api, tenant: Tenant, body: str = "Hello from Ada") -> None:
    answer = api.outbound(tenant, CONTACT, body)
    assert (answer["status"], answer["consent"]["state"]) == ("held", "pending")


def _opted_in_mt(api: Api, tenant: Tenant) -> None:
    _pending_from_contact(api, tenant)
    assert api.inbound(tenant, CONTACT, "YES")["consent"]["state"] == "opted_in"


def _opted_in_mo(api: Api, tenant: Tenant) -> None:
    _pending_from_employee(api, tenant)
    assert api.inbound(tenant, CONTACT, "YES")["consent"]["state"] == "opted_in"


# --- none -----------------------------------------------------------------------------------


def test_none_contact_sends_text_is_held_with_mt_request_and_notice(api: Api) -> None:
    """§3.1 row: none | contact sends text (MT)."""
    tenant = _consent_tenant(api)

    answer = api.inbound(tenant, CONTACT, "Hi Ada, can we talk?")

    assert answer["status"] == "held"
    consent = answer["consent"]
    assert consent["state"] == "pending"
    assert consent["initiated_by"] == "contact"
    assert consent["mode"] == "consent"
    assert consent["requested_at"] is not None
    assert consent["decided_at"] is None
    contact_phone, employee_phone = phones(api, tenant)
    assert contact_phone == [MT_REQUEST]
    assert employee_phone == [MT_REQUESTED_NOTICE]
    view = api.conversation(tenant, CONTACT)
    assert view["consent"]["state"] == "pending"
    assert view["consent"]["initiated_by"] == "contact"
    assert [(m["kind"], m["template"], m["status"]) for m in view["messages"]] == [
        ("user", None, "held"),
        ("auto", "mt_request", "delivered"),
        ("auto", "mt_requested_notice", "delivered"),
    ]
    assert view["messages"][0]["sender"] == "contact"
    assert view["messages"][0]["recipient"] == "employee"


def test_none_employee_sends_text_is_held_with_mo_request_and_notice(api: Api) -> None:
    """§3.1 row: none | employee sends text (MO)."""
    tenant = _consent_tenant(api)

    answer = api.outbound(tenant, CONTACT, "Hello from Ada")

    assert answer["status"] == "held"
    assert answer["consent"]["state"] == "pending"
    assert answer["consent"]["initiated_by"] == "employee"
    contact_phone, employee_phone = phones(api, tenant)
    assert contact_phone == [MO_REQUEST]
    assert employee_phone == [MO_REQUESTED_NOTICE]
    view = api.conversation(tenant, CONTACT)
    assert view["consent"]["initiated_by"] == "employee"
    assert [(m["kind"], m["template"], m["status"]) for m in view["messages"]] == [
        ("user", None, "held"),
        ("auto", "mo_request", "delivered"),
        ("auto", "mo_requested_notice", "delivered"),
    ]


def test_none_contact_first_message_is_opt_out_keyword(api: Api) -> None:
    """§3.1 row: none | contact's first message is an opt-out keyword."""
    tenant = _consent_tenant(api)

    answer = api.inbound(tenant, CONTACT, "STOP")

    assert answer["status"] == "keyword"
    assert answer["consent"]["state"] == "opted_out"
    assert answer["consent"]["evidence_message_id"] == answer["id"]
    contact_phone, employee_phone = phones(api, tenant)
    assert contact_phone == [MT_OPTOUT_CONFIRMATION]
    assert employee_phone == [MT_OPTOUT_NOTICE]
    assert user_statuses(api, tenant) == [("STOP", "keyword")]


def test_none_contact_first_message_is_unprompted_yes_starts_a_cycle(api: Api) -> None:
    """§3.1 row: none | contact's first message is an opt-in keyword (unprompted YES)."""
    tenant = _consent_tenant(api)

    answer = api.inbound(tenant, CONTACT, "YES")

    assert answer["status"] == "held"
    assert answer["consent"]["state"] == "pending"
    assert answer["consent"]["initiated_by"] == "contact"
    assert answer["consent"]["decided_at"] is None
    contact_phone, employee_phone = phones(api, tenant)
    assert contact_phone == [MT_REQUEST]
    assert employee_phone == [MT_REQUESTED_NOTICE]
    assert user_statuses(api, tenant) == [("YES", "held")]

    # The YES that answers the request is the consent; the unprompted one was a text.
    decision = api.inbound(tenant, CONTACT, "YES")
    assert decision["status"] == "keyword"
    assert decision["consent"]["state"] == "opted_in"
    contact_phone, employee_phone = phones(api, tenant)
    assert employee_phone == [MT_REQUESTED_NOTICE, MT_ACCEPTED_NOTICE, "YES"]
    assert user_statuses(api, tenant) == [("YES", "delivered"), ("YES", "keyword")]


# --- pending --------------------------------------------------------------------------------


def test_pending_contact_sends_opt_in_keyword_mt_cycle(api: Api) -> None:
    """§3.1 row: pending | contact sends opt-in keyword (contact-initiated cycle)."""
    tenant = _consent_tenant(api)
    _pending_from_contact(api, tenant)
    api.clock.advance(minutes=5)

    answer = api.inbound(tenant, CONTACT, "YES")

    assert answer["status"] == "keyword"
    consent = answer["consent"]
    assert consent["state"] == "opted_in"
    assert consent["initiated_by"] == "contact"
    assert consent["decided_at"] is not None
    assert consent["evidence_message_id"] == answer["id"]
    contact_phone, employee_phone = phones(api, tenant)
    assert contact_phone == [MT_REQUEST, MT_CONFIRMATION]
    assert employee_phone == [MT_REQUESTED_NOTICE, MT_ACCEPTED_NOTICE, "Hi Ada, can we talk?"]
    assert user_statuses(api, tenant) == [
        ("Hi Ada, can we talk?", "delivered"),
        ("YES", "keyword"),
    ]
    assert api.conversation(tenant, CONTACT)["consent"]["evidence_message_id"] == answer["id"]


def test_pending_contact_sends_opt_in_keyword_mo_cycle(api: Api) -> None:
    """§3.1 row: pending | contact sends opt-in keyword (employee-initiated cycle)."""
    tenant = _consent_tenant(api)
    _pending_from_employee(api, tenant)

    answer = api.inbound(tenant, CONTACT, "yes")

    assert answer["status"] == "keyword"
    assert answer["consent"]["state"] == "opted_in"
    assert answer["consent"]["initiated_by"] == "employee"
    contact_phone, employee_phone = phones(api, tenant)
    assert contact_phone == [MO_REQUEST, MO_CONFIRMATION, "Hello from Ada"]
    assert employee_phone == [MO_REQUESTED_NOTICE, MO_ACCEPTED_NOTICE]
    assert status_of(api, tenant, "Hello from Ada") == "delivered"


def test_pending_opt_in_releases_every_held_message_oldest_first(api: Api) -> None:
    """§3.1 row: pending | contact sends opt-in keyword: the confirmation and the notice
    first, then every held message of the conversation, both directions, oldest first."""
    tenant = _consent_tenant(api)
    _pending_from_contact(api, tenant, "one")
    for sender, body in (("employee", "two"), ("contact", "three"), ("employee", "four")):
        api.clock.advance(minutes=1)
        if sender == "contact":
            answer = api.inbound(tenant, CONTACT, body)
        else:
            answer = api.outbound(tenant, CONTACT, body)
        assert answer["status"] == "held"
    before = deliveries(api, tenant)
    api.clock.advance(minutes=1)

    api.inbound(tenant, CONTACT, "Yes")

    after = deliveries(api, tenant)[len(before) :]
    assert after == [
        ("contact", MT_CONFIRMATION),
        ("employee", MT_ACCEPTED_NOTICE),
        ("employee", "one"),
        ("contact", "two"),
        ("employee", "three"),
        ("contact", "four"),
    ]
    assert user_statuses(api, tenant) == [
        ("one", "delivered"),
        ("two", "delivered"),
        ("three", "delivered"),
        ("four", "delivered"),
        ("Yes", "keyword"),
    ]


def test_pending_contact_sends_opt_out_keyword_mt_cycle(api: Api) -> None:
    """§3.1 row: pending | contact sends opt-out keyword (contact-initiated cycle)."""
    tenant = _consent_tenant(api)
    _pending_from_contact(api, tenant)
    api.clock.advance(minutes=1)
    api.inbound(tenant, CONTACT, "second text")

    answer = api.inbound(tenant, CONTACT, "STOP")

    assert answer["status"] == "keyword"
    assert answer["consent"]["state"] == "opted_out"
    assert answer["consent"]["evidence_message_id"] == answer["id"]
    contact_phone, employee_phone = phones(api, tenant)
    assert contact_phone == [MT_REQUEST, MT_OPTOUT_CONFIRMATION]
    assert employee_phone == [MT_REQUESTED_NOTICE, MT_OPTOUT_NOTICE]
    assert user_statuses(api, tenant) == [
        ("Hi Ada, can we talk?", "discarded"),
        ("second text", "discarded"),
        ("STOP", "keyword"),
    ]


def test_pending_contact_sends_opt_out_keyword_mo_cycle(api: Api) -> None:
    """§3.1 row: pending | contact sends opt-out keyword (employee-initiated cycle)."""
    tenant = _consent_tenant(api)
    _pending_from_employee(api, tenant)

    answer = api.inbound(tenant, CONTACT, "opt-out")

    assert answer["status"] == "keyword"
    assert answer["consent"]["state"] == "opted_out"
    contact_phone, employee_phone = phones(api, tenant)
    assert contact_phone == [MO_REQUEST, MO_OPTOUT_CONFIRMATION]
    assert employee_phone == [MO_REQUESTED_NOTICE, MO_OPTOUT_NOTICE]
    assert status_of(api, tenant, "Hello from Ada") == "discarded"


def test_pending_either_side_sends_other_text_is_held_without_resend(api: Api) -> None:
    """§3.1 row: pending | either side sends other text (within request_resend_interval)."""
    tenant = _consent_tenant(api)
    _pending_from_contact(api, tenant)
    api.clock.advance(hours=23, minutes=59)

    from_contact = api.inbound(tenant, CONTACT, "Are you there?")
    from_employee = api.outbound(tenant, CONTACT, "Yes I am, please opt in")

    assert (from_contact["status"], from_contact["consent"]["state"]) == ("held", "pending")
    assert (from_employee["status"], from_employee["consent"]["state"]) == ("held", "pending")
    contact_phone, employee_phone = phones(api, tenant)
    assert contact_phone == [MT_REQUEST]
    assert employee_phone == [MT_REQUESTED_NOTICE]
    assert user_statuses(api, tenant) == [
        ("Hi Ada, can we talk?", "held"),
        ("Are you there?", "held"),
        ("Yes I am, please opt in", "held"),
    ]


def test_pending_other_text_after_resend_interval_resends_the_mt_request(api: Api) -> None:
    """§3.1 row: pending | either side sends other text: once request_resend_interval has
    passed the current cycle's request goes again; the employee notice is not repeated; the
    next resend waits a full interval from the last request."""
    tenant = _consent_tenant(api)
    _pending_from_contact(api, tenant)
    api.clock.advance(hours=24)

    answer = api.outbound(tenant, CONTACT, "Following up")

    assert (answer["status"], answer["consent"]["state"]) == ("held", "pending")
    contact_phone, employee_phone = phones(api, tenant)
    assert contact_phone == [MT_REQUEST, MT_REQUEST]
    assert employee_phone == [MT_REQUESTED_NOTICE]

    api.clock.advance(hours=23)
    api.inbound(tenant, CONTACT, "hello?")
    contact_phone, employee_phone = phones(api, tenant)
    assert contact_phone == [MT_REQUEST, MT_REQUEST]
    assert employee_phone == [MT_REQUESTED_NOTICE]

    api.clock.advance(hours=1, seconds=1)
    api.inbound(tenant, CONTACT, "hello again?")
    contact_phone, employee_phone = phones(api, tenant)
    assert contact_phone == [MT_REQUEST, MT_REQUEST, MT_REQUEST]
    assert employee_phone == [MT_REQUESTED_NOTICE]
    assert state(api, tenant) == "pending"


def test_pending_contact_text_after_resend_interval_resends_the_mo_request(api: Api) -> None:
    """§3.1 row: pending | either side sends other text: in an employee-initiated cycle
    the resent request is ``mo_request``, whoever wrote the text."""
    tenant = _consent_tenant(api)
    _pending_from_employee(api, tenant)
    api.clock.advance(hours=25)

    answer = api.inbound(tenant, CONTACT, "Who is this?")

    assert (answer["status"], answer["consent"]["state"]) == ("held", "pending")
    assert answer["consent"]["initiated_by"] == "employee"
    contact_phone, employee_phone = phones(api, tenant)
    assert contact_phone == [MO_REQUEST, MO_REQUEST]
    assert employee_phone == [MO_REQUESTED_NOTICE]


def test_pending_resend_follows_a_changed_request_resend_interval(api: Api) -> None:
    """§3.1 row: pending | other text, with ``request_resend_interval`` set to one hour."""
    tenant = _consent_tenant(api)
    api.settings(tenant, request_resend_interval=3600)
    _pending_from_contact(api, tenant)
    api.clock.advance(minutes=59)
    api.inbound(tenant, CONTACT, "still there?")
    assert phones(api, tenant)[0] == [MT_REQUEST]

    api.clock.advance(minutes=2)
    api.inbound(tenant, CONTACT, "hello?")

    assert phones(api, tenant)[0] == [MT_REQUEST, MT_REQUEST]


@pytest.mark.parametrize("words", ["yes please", "please stop", "YES YES", "stop it"])
def test_pending_text_containing_a_keyword_is_other_text(api: Api, words: str) -> None:
    """§3.1 row: pending | either side sends other text: only a whole-message keyword
    counts (SPEC §3 matching), so these are held like any text."""
    tenant = _consent_tenant(api)
    _pending_from_contact(api, tenant)

    answer = api.inbound(tenant, CONTACT, words)

    assert (answer["status"], answer["consent"]["state"]) == ("held", "pending")
    assert phones(api, tenant) == ([MT_REQUEST], [MT_REQUESTED_NOTICE])


@pytest.mark.parametrize("words", ["yes", " Yes! ", "YES.", "start", "UNSTOP", "yes 👍"])
def test_pending_opt_in_keyword_forms(api: Api, words: str) -> None:
    """§3.1 row: pending | contact sends opt-in keyword, written as people write it."""
    tenant = _consent_tenant(api)
    _pending_from_contact(api, tenant)

    answer = api.inbound(tenant, CONTACT, words)

    assert (answer["status"], answer["consent"]["state"]) == ("keyword", "opted_in")


@pytest.mark.parametrize(
    "words",
    [
        "stop",
        "STOP.",
        "opt  out",
        "opt-out",
        "Opt_Out",
        "opt.out",
        "\tSTOP\n",
        "STOP 🛑",
        "Stop-All",
        "STOPALL",
        "stop all",
        "unsubscribe",
        "Cancel",
        "END",
        "quit!",
        "revoke",
        "optout",
    ],
)
def test_pending_opt_out_keyword_forms(api: Api, words: str) -> None:
    """§3.1 row: pending | contact sends opt-out keyword, in every synonym and form."""
    tenant = _consent_tenant(api)
    _pending_from_contact(api, tenant)

    answer = api.inbound(tenant, CONTACT, words)

    assert (answer["status"], answer["consent"]["state"]) == ("keyword", "opted_out")
    assert phones(api, tenant) == (
        [MT_REQUEST, MT_OPTOUT_CONFIRMATION],
        [MT_REQUESTED_NOTICE, MT_OPTOUT_NOTICE],
    )


# --- pending: hold_max_age ------------------------------------------------------------------


def test_pending_held_message_past_hold_max_age_expires_state_stays_pending(api: Api) -> None:
    """§3.1 row: pending | a held message passes hold_max_age: expired, state pending,
    nothing sent (the worker's housekeeping sweep)."""
    tenant = _consent_tenant(api)
    _pending_from_contact(api, tenant, "old news")
    before = phones(api, tenant)
    api.clock.advance(days=7, seconds=1)

    assert run_housekeeping(api) == 1

    view = api.conversation(tenant, CONTACT)
    assert view["consent"]["state"] == "pending"
    assert [(m["body"], m["status"]) for m in view["messages"] if m["kind"] == "user"] == [
        ("old news", "expired")
    ]
    assert phones(api, tenant) == before

    # An expired message is never delivered, not even when the contact then opts in.
    api.inbound(tenant, CONTACT, "YES")
    contact_phone, employee_phone = phones(api, tenant)
    assert employee_phone == [MT_REQUESTED_NOTICE, MT_ACCEPTED_NOTICE]
    assert contact_phone == [MT_REQUEST, MT_CONFIRMATION]
    assert status_of(api, tenant, "old news") == "expired"


def test_pending_held_message_past_hold_max_age_is_not_released_by_a_late_yes(
    api: Api,
) -> None:
    """§3.1 row: pending | a held message passes hold_max_age, found when the contact's
    YES arrives after 8 days: the old message expires, the younger one is delivered."""
    tenant = _consent_tenant(api)
    _pending_from_employee(api, tenant, "first, eight days old")
    api.clock.advance(days=2)
    api.outbound(tenant, CONTACT, "second, six days old")
    api.clock.advance(days=6)

    answer = api.inbound(tenant, CONTACT, "YES")

    assert answer["consent"]["state"] == "opted_in"
    contact_phone, _ = phones(api, tenant)
    assert "first, eight days old" not in contact_phone
    assert contact_phone[-1] == "second, six days old"
    assert user_statuses(api, tenant) == [
        ("first, eight days old", "expired"),
        ("second, six days old", "delivered"),
        ("YES", "keyword"),
    ]


def test_pending_held_message_exactly_hold_max_age_old_is_not_yet_expired(api: Api) -> None:
    """§3.1 row: pending | a held message passes hold_max_age. SPEC §2: held messages
    *older than* hold_max_age are expired; one exactly 7 days old has not passed it."""
    tenant = _consent_tenant(api)
    _pending_from_contact(api, tenant, "exactly a week")
    api.clock.advance(days=7)

    api.inbound(tenant, CONTACT, "YES")

    assert status_of(api, tenant, "exactly a week") == "delivered"
    assert phones(api, tenant)[1][-1] == "exactly a week"


def test_pending_held_message_expiry_follows_a_changed_hold_max_age(api: Api) -> None:
    """§3.1 row: pending | a held message passes hold_max_age, set to one hour."""
    tenant = _consent_tenant(api)
    api.settings(tenant, hold_max_age=3600)
    _pending_from_contact(api, tenant, "short-lived")
    api.clock.advance(minutes=61)

    run_housekeeping(api)

    assert status_of(api, tenant, "short-lived") == "expired"
    assert state(api, tenant) == "pending"


# --- opted_in -------------------------------------------------------------------------------


def test_opted_in_any_text_either_way_is_delivered(api: Api) -> None:
    """§3.1 row: opted_in | any text either way (a YES, or the employee's STOP, is text)."""
    tenant = _consent_tenant(api)
    _opted_in_mt(api, tenant)
    before_contact, before_employee = phones(api, tenant)

    answers = [
        api.outbound(tenant, CONTACT, "Thanks for opting in"),
        api.inbound(tenant, CONTACT, "Great"),
        api.inbound(tenant, CONTACT, "YES"),
        api.outbound(tenant, CONTACT, "STOP"),
    ]

    assert [(a["status"], a["consent"]["state"]) for a in answers] == [
        ("delivered", "opted_in")
    ] * 4
    contact_phone, employee_phone = phones(api, tenant)
    assert contact_phone[len(before_contact) :] == ["Thanks for opting in", "STOP"]
    assert employee_phone[len(before_employee) :] == ["Great", "YES"]
    assert user_statuses(api, tenant)[-4:] == [
        ("Thanks for opting in", "delivered"),
        ("Great", "delivered"),
        ("YES", "delivered"),
        ("STOP", "delivered"),
    ]


def test_opted_in_contact_sends_opt_out_keyword_mt_cycle(api: Api) -> None:
    """§3.1 row: opted_in | contact sends opt-out keyword (contact-initiated cycle)."""
    tenant = _consent_tenant(api)
    _opted_in_mt(api, tenant)

    answer = api.inbound(tenant, CONTACT, "Stop")

    assert (answer["status"], answer["consent"]["state"]) == ("keyword", "opted_out")
    assert answer["consent"]["evidence_message_id"] == answer["id"]
    contact_phone, employee_phone = phones(api, tenant)
    assert contact_phone == [MT_REQUEST, MT_CONFIRMATION, MT_OPTOUT_CONFIRMATION]
    assert employee_phone == [
        MT_REQUESTED_NOTICE,
        MT_ACCEPTED_NOTICE,
        "Hi Ada, can we talk?",
        MT_OPTOUT_NOTICE,
    ]


def test_opted_in_contact_sends_opt_out_keyword_mo_cycle(api: Api) -> None:
    """§3.1 row: opted_in | contact sends opt-out keyword (employee-initiated cycle)."""
    tenant = _consent_tenant(api)
    _opted_in_mo(api, tenant)

    answer = api.inbound(tenant, CONTACT, "UNSUBSCRIBE")

    assert (answer["status"], answer["consent"]["state"]) == ("keyword", "opted_out")
    contact_phone, employee_phone = phones(api, tenant)
    assert contact_phone == [
        MO_REQUEST,
        MO_CONFIRMATION,
        "Hello from Ada",
        MO_OPTOUT_CONFIRMATION,
    ]
    assert employee_phone == [MO_REQUESTED_NOTICE, MO_ACCEPTED_NOTICE, MO_OPTOUT_NOTICE]


# --- opted_out ------------------------------------------------------------------------------


def test_opted_out_employee_sends_is_blocked(api: Api) -> None:
    """§3.1 row: opted_out | employee sends: blocked, 201 with reason opted_out."""
    tenant = _consent_tenant(api)
    api.inbound(tenant, CONTACT, "STOP")
    before = phones(api, tenant)

    response = api.client.post(
        "/api/v1/messages/outbound",
        headers={"Authorization": f"Bearer {tenant.key}"},
        json={"line": tenant.line, "to": CONTACT, "body": "Are you sure?"},
    )

    assert response.status_code == 201
    answer = response.json()
    assert answer["status"] == "blocked"
    assert answer["reason"] == "opted_out"
    assert answer["consent"]["state"] == "opted_out"
    assert phones(api, tenant) == before
    assert status_of(api, tenant, "Are you sure?") == "blocked"
    assert state(api, tenant) == "opted_out"


def test_opted_out_contact_sends_opt_in_keyword_opts_in_directly(api: Api) -> None:
    """§3.1 row: opted_out | contact sends opt-in keyword: opted_in at once, as a
    contact-initiated cycle (mt_ texts even when the earlier cycle was the employee's)."""
    tenant = _consent_tenant(api)
    _pending_from_employee(api, tenant)
    api.inbound(tenant, CONTACT, "STOP")
    before_contact, before_employee = phones(api, tenant)
    api.clock.advance(hours=1)

    answer = api.inbound(tenant, CONTACT, "START")

    assert answer["status"] == "keyword"
    assert answer["consent"]["state"] == "opted_in"
    assert answer["consent"]["initiated_by"] == "contact"
    assert answer["consent"]["evidence_message_id"] == answer["id"]
    contact_phone, employee_phone = phones(api, tenant)
    assert contact_phone[len(before_contact) :] == [MT_CONFIRMATION]
    assert employee_phone[len(before_employee) :] == [MT_ACCEPTED_NOTICE]
    # The employee's text discarded at the opt-out stays discarded.
    assert status_of(api, tenant, "Hello from Ada") == "discarded"
    assert api.outbound(tenant, CONTACT, "Welcome back")["status"] == "delivered"


def test_opted_out_contact_sends_other_text_starts_a_new_mt_cycle(api: Api) -> None:
    """§3.1 row: opted_out | contact sends other text: a new contact-initiated cycle, as
    none + contact sends (the request goes at once, whatever the resend interval)."""
    tenant = _consent_tenant(api)
    _pending_from_employee(api, tenant)
    api.inbound(tenant, CONTACT, "STOP")
    before_contact, before_employee = phones(api, tenant)

    answer = api.inbound(tenant, CONTACT, "Sorry, I changed my mind")

    assert answer["status"] == "held"
    assert answer["consent"]["state"] == "pending"
    assert answer["consent"]["initiated_by"] == "contact"
    contact_phone, employee_phone = phones(api, tenant)
    assert contact_phone[len(before_contact) :] == [MT_REQUEST]
    assert employee_phone[len(before_employee) :] == [MT_REQUESTED_NOTICE]

    api.inbound(tenant, CONTACT, "YES")
    contact_phone, employee_phone = phones(api, tenant)
    assert contact_phone[-1] == MT_CONFIRMATION
    assert employee_phone[-2:] == [MT_ACCEPTED_NOTICE, "Sorry, I changed my mind"]


def test_opted_out_contact_sends_opt_out_keyword_stays_silent(api: Api) -> None:
    """§3.1 row: opted_out | contact sends opt-out keyword: stays opted out, consumed,
    no second confirmation."""
    tenant = _consent_tenant(api)
    api.inbound(tenant, CONTACT, "STOP")
    before = phones(api, tenant)

    answers = [api.inbound(tenant, CONTACT, word) for word in ("STOP", "unsubscribe")]

    assert [(a["status"], a["consent"]["state"]) for a in answers] == [("keyword", "opted_out")] * 2
    assert phones(api, tenant) == before
    assert user_statuses(api, tenant) == [
        ("STOP", "keyword"),
        ("STOP", "keyword"),
        ("unsubscribe", "keyword"),
    ]


# --- §3.4 under consent mode ----------------------------------------------------------------


def test_mode_change_disclaimer_sent_counts_as_none_under_consent_for_employee(
    api: Api,
) -> None:
    """§3.4: under consent mode a disclaimer_sent record counts as none (employee sends)."""
    tenant = api.tenant(mode="disclaimer")
    assert api.outbound(tenant, CONTACT, "Hello")["consent"]["state"] == "disclaimer_sent"
    set_mode(api, tenant, enabled=True, mode="consent")

    answer = api.outbound(tenant, CONTACT, "Under consent now")

    assert answer["status"] == "held"
    assert answer["consent"]["state"] == "pending"
    assert answer["consent"]["initiated_by"] == "employee"
    contact_phone, employee_phone = phones(api, tenant)
    assert contact_phone == [DISCLAIMER, "Hello", MO_REQUEST]
    assert employee_phone == [MO_REQUESTED_NOTICE]


def test_mode_change_disclaimer_sent_counts_as_none_under_consent_for_contact(
    api: Api,
) -> None:
    """§3.4: under consent mode a disclaimer_sent record counts as none (contact sends)."""
    tenant = api.tenant(mode="disclaimer")
    api.outbound(tenant, CONTACT, "Hello")
    set_mode(api, tenant, enabled=True, mode="consent")

    answer = api.inbound(tenant, CONTACT, "Hi back")

    assert (answer["status"], answer["consent"]["state"]) == ("held", "pending")
    assert answer["consent"]["initiated_by"] == "contact"
    contact_phone, employee_phone = phones(api, tenant)
    assert contact_phone == [DISCLAIMER, "Hello", MT_REQUEST]
    assert employee_phone == [MT_REQUESTED_NOTICE]


def test_mode_change_settings_change_never_releases_held_messages(api: Api) -> None:
    """§3.4: a settings change never releases held messages; they wait for the contact's
    decision once consent mode is back."""
    tenant = _consent_tenant(api)
    _pending_from_contact(api, tenant, "held through the changes")
    before = phones(api, tenant)

    set_mode(api, tenant, enabled=False)
    assert phones(api, tenant) == before
    set_mode(api, tenant, enabled=True, mode="disclaimer")
    assert phones(api, tenant) == before
    set_mode(api, tenant, enabled=True, mode="consent")
    assert phones(api, tenant) == before
    assert status_of(api, tenant, "held through the changes") == "held"
    assert state(api, tenant) == "pending"

    api.inbound(tenant, CONTACT, "YES")
    assert phones(api, tenant)[1][-1] == "held through the changes"
    assert status_of(api, tenant, "held through the changes") == "delivered"


def test_pending_opt_out_after_hold_max_age_expires_old_holds_instead_of_discarding(
    api: Api,
) -> None:
    """§3.1 rows: pending | a held message passes hold_max_age, then pending | contact
    sends opt-out keyword: the overdue message is expired, the young one discarded."""
    tenant = _consent_tenant(api)
    _pending_from_contact(api, tenant, "nine days old")
    api.clock.advance(days=6)
    api.inbound(tenant, CONTACT, "three days old")
    api.clock.advance(days=3)

    answer = api.inbound(tenant, CONTACT, "STOP")

    assert answer["consent"]["state"] == "opted_out"
    assert user_statuses(api, tenant) == [
        ("nine days old", "expired"),
        ("three days old", "discarded"),
        ("STOP", "keyword"),
    ]
    # The second text came six days after the request, so the request went again.
    assert phones(api, tenant) == (
        [MT_REQUEST, MT_REQUEST, MT_OPTOUT_CONFIRMATION],
        [MT_REQUESTED_NOTICE, MT_OPTOUT_NOTICE],
    )


def test_pending_other_text_after_hold_max_age_expires_old_and_holds_new(api: Api) -> None:
    """§3.1 rows: pending | a held message passes hold_max_age (it expires, the state stays
    pending) and pending | other text (held; the interval has passed, so the request is
    resent)."""
    tenant = _consent_tenant(api)
    _pending_from_contact(api, tenant, "eight days old")
    api.clock.advance(days=8)

    answer = api.inbound(tenant, CONTACT, "anyone?")

    assert (answer["status"], answer["consent"]["state"]) == ("held", "pending")
    assert user_statuses(api, tenant) == [("eight days old", "expired"), ("anyone?", "held")]
    assert phones(api, tenant) == ([MT_REQUEST, MT_REQUEST], [MT_REQUESTED_NOTICE])


def test_pending_employee_stop_is_text_not_a_keyword(api: Api) -> None:
    """§3 keyword matching applies to the contact's messages only: pending | employee sends
    "STOP" is other text, held."""
    tenant = _consent_tenant(api)
    _pending_from_contact(api, tenant)

    answer = api.outbound(tenant, CONTACT, "STOP")

    assert (answer["status"], answer["consent"]["state"]) == ("held", "pending")
    api.inbound(tenant, CONTACT, "YES")
    assert phones(api, tenant)[0] == [MT_REQUEST, MT_CONFIRMATION, "STOP"]


def test_none_each_channel_is_its_own_conversation(api: Api) -> None:
    """§3: a conversation is (line, contact, channel): consent on SMS is not consent on
    WhatsApp, so none | contact sends text holds it there."""
    tenant = _consent_tenant(api)
    _opted_in_mt(api, tenant)

    answer = api.inbound(tenant, CONTACT, "Now on WhatsApp", channel="whatsapp")

    assert (answer["status"], answer["consent"]["state"]) == ("held", "pending")
    assert api.conversation(tenant, CONTACT, "whatsapp")["consent"]["state"] == "pending"
    assert api.conversation(tenant, CONTACT)["consent"]["state"] == "opted_in"


def test_pending_changed_opt_out_text_is_used_in_the_texts_and_opts_out(api: Api) -> None:
    """§2/§4: with the opt-out text changed to HALT, the request names it and HALT is the
    pending | contact sends opt-out keyword row."""
    tenant = _consent_tenant(api)
    api.settings(tenant, keywords={"opt_out": "HALT"})
    _pending_from_contact(api, tenant)

    answer = api.inbound(tenant, CONTACT, "halt")

    assert (answer["status"], answer["consent"]["state"]) == ("keyword", "opted_out")
    contact_phone, _ = phones(api, tenant)
    assert contact_phone == [
        "[Auto Message] You are trying to reach Ada Lovelace. As per company policy, you must "
        "provide your consent in order for your message to be delivered. To opt in, reply YES. "
        "To opt out, reply HALT.",
        MT_OPTOUT_CONFIRMATION,
    ]


def test_pending_stop_still_opts_out_after_the_opt_out_text_is_changed(api: Api) -> None:
    """§2/§3.3: only a changed *opt-in* word replaces the old one (§2 says so of YES alone);
    STOP is a US FCC revocation word that "the law requires" honoring (§3.3), so with the
    opt-out text changed to HALT a contact's STOP is still the pending | contact sends
    opt-out keyword row, not held text."""
    tenant = _consent_tenant(api)
    api.settings(tenant, keywords={"opt_out": "HALT"})
    _pending_from_contact(api, tenant)

    answer = api.inbound(tenant, CONTACT, "STOP")

    assert (answer["status"], answer["consent"]["state"]) == ("keyword", "opted_out")
