"""SPEC §3.3 (SMS Opt-in disabled) through the HTTP API, and the §3.4 rules that records
keep their state across modes and that opted_out holds in every mode."""

from __future__ import annotations

import pytest

from tests.e2e.support import (
    CONTACT,
    MO_REQUEST,
    MO_REQUESTED_NOTICE,
    MT_ACCEPTED_NOTICE,
    MT_CONFIRMATION,
    MT_REQUEST,
    MT_REQUESTED_NOTICE,
    auto_templates,
    phones,
    set_mode,
    state,
    status_of,
    user_statuses,
)
from tests.helpers import Api, Tenant


def _disabled_tenant(api: Api) -> Tenant:
    return api.tenant(enabled=False)


@pytest.mark.parametrize("entitled", [True, False], ids=["entitled-disabled", "not-entitled"])
def test_disabled_messages_pass_through_and_are_archived(api: Api, entitled: bool) -> None:
    """§3.3: messages pass through and are archived; nothing is generated (a YES is text)."""
    tenant = api.tenant(enabled=False, entitled=entitled)

    answers = [
        api.inbound(tenant, CONTACT, "Hi Ada"),
        api.outbound(tenant, CONTACT, "Hello there"),
        api.inbound(tenant, CONTACT, "YES"),
        api.outbound(tenant, CONTACT, "STOP"),
    ]

    assert [a["status"] for a in answers] == ["delivered"] * 4
    assert [a["consent"]["state"] for a in answers] == ["none"] * 4
    contact_phone, employee_phone = phones(api, tenant)
    assert contact_phone == ["Hello there", "STOP"]
    assert employee_phone == ["Hi Ada", "YES"]
    view = api.conversation(tenant, CONTACT)
    assert view["consent"]["state"] == "none"
    assert [(m["sender"], m["kind"], m["body"], m["status"]) for m in view["messages"]] == [
        ("contact", "user", "Hi Ada", "delivered"),
        ("employee", "user", "Hello there", "delivered"),
        ("contact", "user", "YES", "delivered"),
        ("employee", "user", "STOP", "delivered"),
    ]


@pytest.mark.parametrize("entitled", [True, False], ids=["entitled-disabled", "not-entitled"])
def test_disabled_opt_out_keyword_is_honored_without_auto_text(api: Api, entitled: bool) -> None:
    """§3.3: an opt-out keyword is still honored: state opted_out, no auto text."""
    tenant = api.tenant(enabled=False, entitled=entitled)
    api.inbound(tenant, CONTACT, "Hi Ada")

    answer = api.inbound(tenant, CONTACT, "Unsubscribe")

    assert answer["consent"]["state"] == "opted_out"
    contact_phone, employee_phone = phones(api, tenant)
    assert contact_phone == []
    assert not any(body.startswith("[Auto") for body in employee_phone)
    assert auto_templates(api, tenant) == []
    assert state(api, tenant) == "opted_out"


@pytest.mark.parametrize("entitled", [True, False], ids=["entitled-disabled", "not-entitled"])
def test_disabled_employee_sends_after_opt_out_are_blocked(api: Api, entitled: bool) -> None:
    """§3.3: after an opt-out the employee's later sends are blocked."""
    tenant = api.tenant(enabled=False, entitled=entitled)
    api.inbound(tenant, CONTACT, "STOP")
    before = phones(api, tenant)

    answer = api.outbound(tenant, CONTACT, "Can I still reach you?")

    assert answer["status"] == "blocked"
    assert answer["reason"] == "opted_out"
    assert answer["consent"]["state"] == "opted_out"
    assert phones(api, tenant) == before
    assert status_of(api, tenant, "Can I still reach you?") == "blocked"


def test_disabled_opted_out_contact_repeats_opt_out_silently(api: Api) -> None:
    """§3.3: an opted-out contact's further opt-out keyword changes nothing, sends nothing."""
    tenant = _disabled_tenant(api)
    api.inbound(tenant, CONTACT, "STOP")
    before = phones(api, tenant)

    answer = api.inbound(tenant, CONTACT, "STOP")

    assert answer["consent"]["state"] == "opted_out"
    assert phones(api, tenant) == before


def test_disabled_opted_out_contact_text_passes_but_employee_stays_blocked(api: Api) -> None:
    """§3.3: the contact's own texts pass through; the opt-out still blocks the employee."""
    tenant = _disabled_tenant(api)
    api.inbound(tenant, CONTACT, "STOP")

    answer = api.inbound(tenant, CONTACT, "I have a question about my account")

    assert answer["status"] == "delivered"
    assert answer["consent"]["state"] == "opted_out"
    _, employee_phone = phones(api, tenant)
    assert employee_phone[-1] == "I have a question about my account"
    assert api.outbound(tenant, CONTACT, "Sure")["status"] == "blocked"


# --- §3.3 / §3.4 records are kept across modes ----------------------------------------------


def test_disabled_opt_out_applies_when_consent_mode_is_enabled(api: Api) -> None:
    """§3.3: consent records are kept and apply again when the feature is re-enabled: an
    opt-out taken while disabled blocks under consent, and a YES opts in directly."""
    tenant = _disabled_tenant(api)
    api.inbound(tenant, CONTACT, "STOP")
    set_mode(api, tenant, enabled=True, mode="consent")

    blocked = api.outbound(tenant, CONTACT, "Hello")
    assert (blocked["status"], blocked["reason"]) == ("blocked", "opted_out")

    decision = api.inbound(tenant, CONTACT, "YES")
    assert (decision["status"], decision["consent"]["state"]) == ("keyword", "opted_in")
    contact_phone, employee_phone = phones(api, tenant)
    assert contact_phone == [MT_CONFIRMATION]
    assert employee_phone == [MT_ACCEPTED_NOTICE]


def test_mode_change_opted_in_record_applies_again_after_disable_and_re_enable(
    api: Api,
) -> None:
    """§3.3/§3.4: an opted_in record made under consent survives a period with SMS Opt-in
    off and applies again when consent mode is re-enabled (no new request)."""
    tenant = api.tenant(mode="consent")
    api.inbound(tenant, CONTACT, "Hi")
    api.inbound(tenant, CONTACT, "YES")
    set_mode(api, tenant, enabled=False)
    assert api.outbound(tenant, CONTACT, "While disabled")["status"] == "delivered"
    set_mode(api, tenant, enabled=True, mode="consent")

    answer = api.outbound(tenant, CONTACT, "After re-enabling")

    assert (answer["status"], answer["consent"]["state"]) == ("delivered", "opted_in")
    contact_phone, employee_phone = phones(api, tenant)
    assert contact_phone == [MT_REQUEST, MT_CONFIRMATION, "While disabled", "After re-enabling"]
    assert employee_phone == [MT_REQUESTED_NOTICE, MT_ACCEPTED_NOTICE, "Hi"]


def test_mode_change_none_record_under_disabled_needs_consent_once_enabled(api: Api) -> None:
    """§3.3/§3.4: texting while disabled records no consent; once consent mode is on, the
    employee's next text starts a cycle."""
    tenant = _disabled_tenant(api)
    api.outbound(tenant, CONTACT, "Before the policy")
    set_mode(api, tenant, enabled=True, mode="consent")

    answer = api.outbound(tenant, CONTACT, "After the policy")

    assert (answer["status"], answer["consent"]["state"]) == ("held", "pending")
    contact_phone, employee_phone = phones(api, tenant)
    assert contact_phone == ["Before the policy", MO_REQUEST]
    assert employee_phone == [MO_REQUESTED_NOTICE]


def test_mode_change_opted_out_holds_in_every_mode(api: Api) -> None:
    """§3.4: opted_out holds in every mode: consent, disclaimer, disabled, back again."""
    tenant = api.tenant(mode="consent")
    api.outbound(tenant, CONTACT, "Hello")
    api.inbound(tenant, CONTACT, "STOP")
    before = phones(api, tenant)

    results: list[tuple[str, str | None, str]] = []
    for enabled, mode in (
        (True, "consent"),
        (True, "disclaimer"),
        (False, None),
        (True, "consent"),
    ):
        set_mode(api, tenant, enabled=enabled, mode=mode)
        answer = api.outbound(tenant, CONTACT, f"try {len(results)}")
        results.append((answer["status"], answer.get("reason"), answer["consent"]["state"]))

    assert results == [("blocked", "opted_out", "opted_out")] * 4
    assert phones(api, tenant) == before
    assert [status for _, status in user_statuses(api, tenant)][-4:] == ["blocked"] * 4


def test_mode_change_pending_held_message_stays_held_while_disabled(api: Api) -> None:
    """§3.4: a settings change never releases held messages; while disabled, new texts pass
    through but the held one waits."""
    tenant = api.tenant(mode="consent")
    api.inbound(tenant, CONTACT, "held before the change")
    set_mode(api, tenant, enabled=False)

    answer = api.inbound(tenant, CONTACT, "sent while disabled")

    assert answer["status"] == "delivered"
    _, employee_phone = phones(api, tenant)
    assert employee_phone == [MT_REQUESTED_NOTICE, "sent while disabled"]
    assert status_of(api, tenant, "held before the change") == "held"
