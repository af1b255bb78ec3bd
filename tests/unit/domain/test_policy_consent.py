"""SPEC §3.1 (Opt-in with Consent), row by row, by calling ``decide`` directly."""

from __future__ import annotations

from dataclasses import replace

import pytest

from consentline.domain.consent import ConsentRecord, Party, State, Status
from consentline.domain.policy import (
    AWAITING_CONSENT_REASON,
    OPTED_OUT_REASON,
    AutoMessage,
    Decision,
    HeldMessage,
    Message,
    decide,
    expire_held,
)
from consentline.domain.settings import Mode, PolicySettings
from tests.unit.domain.support import (
    DAY,
    HOUR,
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
    NAMES,
    SECOND,
    T0,
    consent_settings,
    from_contact,
    from_employee,
    held,
    opted_in,
    opted_out,
    pending,
    spec_auto,
    with_keywords,
)

CONSENT = consent_settings()


def run(
    record: ConsentRecord,
    message: Message,
    held_messages: tuple[HeldMessage, ...] = (),
    settings: PolicySettings = CONSENT,
) -> Decision:
    return decide(record, settings, message, held_messages, NAMES)


def contact_auto(template: str, body: str) -> AutoMessage:
    return AutoMessage(template, Party.CONTACT, body)


def employee_auto(template: str, body: str) -> AutoMessage:
    return AutoMessage(template, Party.EMPLOYEE, body)


def assert_no_held_changes(decision: Decision) -> None:
    assert decision.release == ()
    assert decision.discard == ()
    assert decision.expire == ()


# --- none ---------------------------------------------------------------------------------


def test_none_contact_sends_text_is_held_and_requests_consent() -> None:
    """§3.1 row: none | contact sends text (MT)."""
    decision = run(ConsentRecord(), from_contact("Hi Ada, is my loan approved?"))

    assert decision.status is Status.HELD
    assert decision.reason == AWAITING_CONSENT_REASON
    assert decision.auto_before == ()
    assert decision.auto_after == (
        contact_auto("mt_request", MT_REQUEST),
        employee_auto("mt_requested_notice", MT_REQUESTED_NOTICE),
    )
    assert decision.record.state is State.PENDING
    assert decision.record.initiated_by is Party.CONTACT
    assert decision.record.mode is Mode.CONSENT
    assert decision.record.requested_at == T0
    assert decision.record.last_request_at == T0
    assert decision.record.decided_at is None
    assert decision.record.request_text == MT_REQUEST
    assert decision.decides is False
    assert_no_held_changes(decision)


def test_none_employee_sends_text_is_held_and_requests_consent() -> None:
    """§3.1 row: none | employee sends text (MO)."""
    decision = run(ConsentRecord(), from_employee("Your card is ready for pickup."))

    assert decision.status is Status.HELD
    assert decision.reason == AWAITING_CONSENT_REASON
    assert decision.auto_before == ()
    assert decision.auto_after == (
        contact_auto("mo_request", MO_REQUEST),
        employee_auto("mo_requested_notice", MO_REQUESTED_NOTICE),
    )
    assert decision.record.state is State.PENDING
    assert decision.record.initiated_by is Party.EMPLOYEE
    assert decision.record.mode is Mode.CONSENT
    assert decision.record.requested_at == T0
    assert decision.record.decided_at is None
    assert decision.record.request_text == MO_REQUEST
    assert decision.decides is False
    assert_no_held_changes(decision)


def test_none_contact_first_message_opt_out_opts_out_with_mt_texts() -> None:
    """§3.1 row: none | contact's first message is an opt-out keyword."""
    decision = run(ConsentRecord(), from_contact("STOP"))

    assert decision.status is Status.KEYWORD
    assert decision.decides is True
    assert decision.auto_before == ()
    assert decision.auto_after == (
        contact_auto("mt_optout_confirmation", MT_OPTOUT_CONFIRMATION),
        employee_auto("mt_optout_notice", MT_OPTOUT_NOTICE),
    )
    assert decision.record.state is State.OPTED_OUT
    assert decision.record.initiated_by is Party.CONTACT
    assert decision.record.decided_at == T0
    assert_no_held_changes(decision)


def test_none_contact_unprompted_yes_is_ordinary_text_starting_mt_cycle() -> None:
    """§3.1 row: none | contact's first message is an opt-in keyword (unprompted YES)."""
    decision = run(ConsentRecord(), from_contact("YES"))

    assert decision.status is Status.HELD
    assert decision.decides is False
    assert decision.auto_after == (
        contact_auto("mt_request", MT_REQUEST),
        employee_auto("mt_requested_notice", MT_REQUESTED_NOTICE),
    )
    assert decision.record.state is State.PENDING
    assert decision.record.initiated_by is Party.CONTACT
    assert decision.record.decided_at is None


# --- pending: the contact decides -----------------------------------------------------------


def test_pending_mt_contact_opts_in_confirms_and_releases_held_oldest_first() -> None:
    """§3.1 row: pending | contact sends opt-in keyword (contact-initiated cycle)."""
    held_messages = (held(7, T0 + 2 * HOUR), held(3, T0), held(5, T0 + HOUR))
    decision = run(pending(Party.CONTACT), from_contact("YES", T0 + 3 * HOUR), held_messages)

    assert decision.status is Status.KEYWORD
    assert decision.decides is True
    assert decision.auto_before == ()
    assert decision.auto_after == (
        contact_auto("mt_confirmation", MT_CONFIRMATION),
        employee_auto("mt_accepted_notice", MT_ACCEPTED_NOTICE),
    )
    assert decision.release == (3, 5, 7)
    assert decision.discard == ()
    assert decision.expire == ()
    assert decision.record.state is State.OPTED_IN
    assert decision.record.initiated_by is Party.CONTACT
    assert decision.record.decided_at == T0 + 3 * HOUR
    assert decision.record.requested_at == T0


def test_pending_mo_contact_opts_in_confirms_with_mo_texts_and_releases_held() -> None:
    """§3.1 row: pending | contact sends opt-in keyword (employee-initiated cycle)."""
    held_messages = (held(1, T0), held(4, T0 + HOUR))
    decision = run(pending(Party.EMPLOYEE), from_contact("yes", T0 + 2 * HOUR), held_messages)

    assert decision.status is Status.KEYWORD
    assert decision.auto_after == (
        contact_auto("mo_confirmation", MO_CONFIRMATION),
        employee_auto("mo_accepted_notice", MO_ACCEPTED_NOTICE),
    )
    assert decision.release == (1, 4)
    assert decision.record.state is State.OPTED_IN
    assert decision.record.initiated_by is Party.EMPLOYEE
    assert decision.record.decided_at == T0 + 2 * HOUR


def test_pending_mt_contact_opts_out_confirms_and_discards_held() -> None:
    """§3.1 row: pending | contact sends opt-out keyword (contact-initiated cycle)."""
    held_messages = (held(2, T0 + HOUR), held(1, T0))
    decision = run(pending(Party.CONTACT), from_contact("STOP", T0 + 2 * HOUR), held_messages)

    assert decision.status is Status.KEYWORD
    assert decision.decides is True
    assert decision.auto_after == (
        contact_auto("mt_optout_confirmation", MT_OPTOUT_CONFIRMATION),
        employee_auto("mt_optout_notice", MT_OPTOUT_NOTICE),
    )
    assert decision.discard == (1, 2)
    assert decision.release == ()
    assert decision.record.state is State.OPTED_OUT
    assert decision.record.initiated_by is Party.CONTACT
    assert decision.record.decided_at == T0 + 2 * HOUR


def test_pending_mo_contact_opts_out_confirms_with_mo_texts_and_discards_held() -> None:
    """§3.1 row: pending | contact sends opt-out keyword (employee-initiated cycle)."""
    decision = run(pending(Party.EMPLOYEE), from_contact("Stop", T0 + HOUR), (held(9, T0),))

    assert decision.status is Status.KEYWORD
    assert decision.auto_after == (
        contact_auto("mo_optout_confirmation", MO_OPTOUT_CONFIRMATION),
        employee_auto("mo_optout_notice", MO_OPTOUT_NOTICE),
    )
    assert decision.discard == (9,)
    assert decision.release == ()
    assert decision.record.state is State.OPTED_OUT
    assert decision.record.initiated_by is Party.EMPLOYEE


# --- pending: other text, and the resend interval -------------------------------------------


@pytest.mark.parametrize("sender", [Party.CONTACT, Party.EMPLOYEE])
def test_pending_other_text_within_resend_interval_is_held_without_request(
    sender: Party,
) -> None:
    """§3.1 row: pending | either side sends other text (before request_resend_interval)."""
    record = pending(Party.CONTACT)
    at = T0 + DAY - SECOND
    decision = run(record, Message(sender, "Are you there?", at), (held(1, T0),))

    assert decision.status is Status.HELD
    assert decision.reason == AWAITING_CONSENT_REASON
    assert decision.auto_messages == ()
    assert decision.record == record
    assert_no_held_changes(decision)


@pytest.mark.parametrize("sender", [Party.CONTACT, Party.EMPLOYEE])
@pytest.mark.parametrize(
    ("initiated_by", "resent"),
    [(Party.CONTACT, spec_auto("mt_request")), (Party.EMPLOYEE, spec_auto("mo_request"))],
)
def test_pending_other_text_after_resend_interval_resends_only_the_cycle_request(
    sender: Party, initiated_by: Party, resent: AutoMessage
) -> None:
    """§3.1 row: pending | either side sends other text (after request_resend_interval)."""
    record = pending(initiated_by)
    at = T0 + DAY + SECOND
    decision = run(record, Message(sender, "Hello?", at), (held(1, T0),))

    assert decision.status is Status.HELD
    # The current cycle's request again; the employee notice is not repeated.
    assert decision.auto_before == ()
    assert decision.auto_after == (resent,)
    assert decision.record.state is State.PENDING
    assert decision.record.initiated_by is initiated_by
    assert decision.record.requested_at == T0
    assert decision.record.last_request_at == at
    assert_no_held_changes(decision)


def test_pending_request_is_resent_once_the_interval_has_fully_passed() -> None:
    """§3.1 row: pending | other text exactly request_resend_interval after the request."""
    decision = run(pending(Party.CONTACT), from_contact("Hello?", T0 + DAY))

    assert decision.auto_messages == (spec_auto("mt_request"),)
    assert decision.record.last_request_at == T0 + DAY


def test_pending_resend_interval_counts_from_the_last_request() -> None:
    """§3.1 row: pending | other text: the gap is measured from the last request sent."""
    record = replace(pending(Party.CONTACT), last_request_at=T0 + 2 * DAY)
    decision = run(record, from_contact("Hello?", T0 + 3 * DAY - SECOND))

    assert decision.status is Status.HELD
    assert decision.auto_messages == ()
    assert decision.record.last_request_at == T0 + 2 * DAY


def test_pending_resend_interval_follows_the_setting() -> None:
    """§3.1 row: pending | other text: request_resend_interval is the organization's."""
    settings = consent_settings(request_resend_interval=3600)
    record = pending(Party.EMPLOYEE)

    early = run(record, from_employee("one", T0 + HOUR - SECOND), settings=settings)
    late = run(record, from_employee("two", T0 + HOUR + SECOND), settings=settings)

    assert early.auto_messages == ()
    assert late.auto_messages == (spec_auto("mo_request"),)


def test_pending_sequence_resends_once_per_interval_and_never_repeats_notice() -> None:
    """§3.1 row: pending | other text, over a day and a half of messages."""
    record = ConsentRecord()
    sent: list[tuple[int, str]] = []
    for minutes, body in [
        (0, "first"),
        (60, "second"),
        (23 * 60, "third"),
        (24 * 60 + 1, "fourth"),
        (25 * 60, "fifth"),
        (48 * 60 + 2, "sixth"),
    ]:
        at = T0 + minutes * SECOND * 60
        decision = run(record, from_contact(body, at))
        assert decision.status is Status.HELD
        sent += [(minutes, auto.template) for auto in decision.auto_messages]
        record = decision.record

    assert sent == [
        (0, "mt_request"),
        (0, "mt_requested_notice"),
        (24 * 60 + 1, "mt_request"),
        (48 * 60 + 2, "mt_request"),
    ]
    assert record.state is State.PENDING
    assert record.requested_at == T0


def test_pending_employee_yes_is_text_not_consent() -> None:
    """§3 keyword rule: an employee's YES while pending is held text, not consent."""
    decision = run(pending(Party.EMPLOYEE), from_employee("YES", T0 + HOUR), (held(1, T0),))

    assert decision.status is Status.HELD
    assert decision.record.state is State.PENDING
    assert decision.decides is False
    assert decision.release == ()


# --- pending: hold_max_age ------------------------------------------------------------------


def test_pending_held_message_past_hold_max_age_expires_and_nothing_is_sent() -> None:
    """§3.1 row: pending | a held message passes hold_max_age."""
    held_messages = (held(1, T0), held(2, T0 + DAY), held(3, T0 + 2 * DAY))
    now = T0 + 7 * DAY + SECOND

    assert expire_held(held_messages, now, CONSENT.hold_max_age) == (1,)
    assert expire_held(held_messages, T0 + 7 * DAY - SECOND, CONSENT.hold_max_age) == ()
    assert expire_held(held_messages, T0 + 9 * DAY + SECOND, CONSENT.hold_max_age) == (1, 2, 3)

    record = replace(pending(Party.CONTACT), last_request_at=now - HOUR)
    decision = run(record, from_employee("still there?", now), held_messages)
    assert decision.expire == (1,)
    assert decision.status is Status.HELD
    assert decision.auto_messages == ()
    assert decision.record.state is State.PENDING
    assert decision.release == ()
    assert decision.discard == ()


def test_pending_held_message_exactly_hold_max_age_old_is_not_yet_expired() -> None:
    """§3.1 row: pending | a held message passes hold_max_age (§2: "older than" it expires)."""
    held_messages = (held(1, T0),)
    now = T0 + 7 * DAY

    assert expire_held(held_messages, now, CONSENT.hold_max_age) == ()
    decision = run(pending(Party.CONTACT), from_contact("YES", now), held_messages)
    assert decision.expire == ()
    assert decision.release == (1,)


def test_pending_opt_in_releases_only_unexpired_held_messages() -> None:
    """§3.1 row: pending | hold_max_age: an expired message is never delivered."""
    held_messages = (held(1, T0), held(2, T0 + 6 * DAY))
    decision = run(pending(Party.CONTACT), from_contact("YES", T0 + 7 * DAY + HOUR), held_messages)

    assert decision.expire == (1,)
    assert decision.release == (2,)
    assert decision.record.state is State.OPTED_IN


def test_pending_hold_max_age_follows_the_setting() -> None:
    """§3.1 row: pending | hold_max_age is the organization's setting."""
    settings = consent_settings(hold_max_age=3600)
    held_messages = (held(1, T0), held(2, T0 + 30 * SECOND * 60))
    decision = run(
        pending(Party.CONTACT), from_contact("STOP", T0 + HOUR + SECOND), held_messages, settings
    )

    assert decision.expire == (1,)
    assert decision.discard == (2,)


# --- opted_in -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "message",
    [
        from_contact("Thanks, see you Monday", T0 + DAY),
        from_employee("Your appointment is at 10", T0 + DAY),
        from_contact("YES", T0 + DAY),
        from_contact("start", T0 + DAY),
        from_employee("STOP", T0 + DAY),
    ],
    ids=["contact-text", "employee-text", "contact-YES", "contact-START", "employee-STOP"],
)
@pytest.mark.parametrize("initiated_by", [Party.CONTACT, Party.EMPLOYEE])
def test_opted_in_any_text_either_way_is_delivered(message: Message, initiated_by: Party) -> None:
    """§3.1 row: opted_in | any text either way (a YES now is ordinary text)."""
    record = opted_in(initiated_by)
    decision = run(record, message)

    assert decision.status is Status.DELIVERED
    assert decision.reason is None
    assert decision.auto_messages == ()
    assert decision.record == record
    assert decision.decides is False
    assert_no_held_changes(decision)


@pytest.mark.parametrize(
    ("initiated_by", "confirmation", "notice"),
    [
        (
            Party.CONTACT,
            contact_auto("mt_optout_confirmation", MT_OPTOUT_CONFIRMATION),
            employee_auto("mt_optout_notice", MT_OPTOUT_NOTICE),
        ),
        (
            Party.EMPLOYEE,
            contact_auto("mo_optout_confirmation", MO_OPTOUT_CONFIRMATION),
            employee_auto("mo_optout_notice", MO_OPTOUT_NOTICE),
        ),
    ],
)
def test_opted_in_contact_opts_out_confirms_and_notifies(
    initiated_by: Party, confirmation: AutoMessage, notice: AutoMessage
) -> None:
    """§3.1 row: opted_in | contact sends opt-out keyword."""
    decision = run(opted_in(initiated_by), from_contact("stop", T0 + DAY))

    assert decision.status is Status.KEYWORD
    assert decision.decides is True
    assert decision.auto_after == (confirmation, notice)
    assert decision.record.state is State.OPTED_OUT
    assert decision.record.initiated_by is initiated_by
    assert decision.record.decided_at == T0 + DAY
    assert decision.release == ()


# --- opted_out ------------------------------------------------------------------------------


@pytest.mark.parametrize("body", ["Are you still interested?", "YES", "STOP"])
def test_opted_out_employee_sends_is_blocked(body: str) -> None:
    """§3.1 row: opted_out | employee sends."""
    record = opted_out(Party.EMPLOYEE)
    decision = run(record, from_employee(body, T0 + DAY))

    assert decision.status is Status.BLOCKED
    assert decision.reason == OPTED_OUT_REASON
    assert decision.auto_messages == ()
    assert decision.record == record
    assert_no_held_changes(decision)


@pytest.mark.parametrize("initiated_by", [Party.CONTACT, Party.EMPLOYEE])
def test_opted_out_contact_opts_in_directly_with_mt_texts(initiated_by: Party) -> None:
    """§3.1 row: opted_out | contact sends opt-in keyword."""
    decision = run(opted_out(initiated_by), from_contact("Yes!", T0 + 2 * DAY))

    assert decision.status is Status.KEYWORD
    assert decision.decides is True
    assert decision.auto_after == (
        contact_auto("mt_confirmation", MT_CONFIRMATION),
        employee_auto("mt_accepted_notice", MT_ACCEPTED_NOTICE),
    )
    assert decision.record.state is State.OPTED_IN
    assert decision.record.initiated_by is Party.CONTACT
    assert decision.record.decided_at == T0 + 2 * DAY


@pytest.mark.parametrize("initiated_by", [Party.CONTACT, Party.EMPLOYEE])
def test_opted_out_contact_sends_other_text_starts_new_mt_cycle(initiated_by: Party) -> None:
    """§3.1 row: opted_out | contact sends other text ("reply with a new message")."""
    at = T0 + 2 * DAY
    decision = run(opted_out(initiated_by), from_contact("I changed my mind", at))

    assert decision.status is Status.HELD
    assert decision.reason == AWAITING_CONSENT_REASON
    assert decision.auto_after == (
        contact_auto("mt_request", MT_REQUEST),
        employee_auto("mt_requested_notice", MT_REQUESTED_NOTICE),
    )
    assert decision.record.state is State.PENDING
    assert decision.record.initiated_by is Party.CONTACT
    assert decision.record.requested_at == at
    assert decision.record.last_request_at == at
    assert decision.record.decided_at is None
    assert decision.decides is False


@pytest.mark.parametrize("body", ["STOP", "stop.", "Unsubscribe", "opt-out"])
def test_opted_out_contact_sends_opt_out_again_is_consumed_without_confirmation(
    body: str,
) -> None:
    """§3.1 row: opted_out | contact sends opt-out keyword."""
    record = opted_out(Party.CONTACT)
    decision = run(record, from_contact(body, T0 + 2 * DAY))

    assert decision.status is Status.KEYWORD
    assert decision.auto_messages == ()
    assert decision.record == record
    assert_no_held_changes(decision)


# --- keyword spellings (SPEC §3) ------------------------------------------------------------


@pytest.mark.parametrize("body", ["yes", " Yes! ", "YES", "yes.", "🙏 yes 🙏", "START", "unstop"])
def test_pending_contact_opt_in_spellings_opt_in(body: str) -> None:
    """§3.1 row: pending | contact sends opt-in keyword, in the spellings §3 accepts."""
    decision = run(pending(Party.CONTACT), from_contact(body, T0 + HOUR))

    assert decision.status is Status.KEYWORD
    assert decision.record.state is State.OPTED_IN


@pytest.mark.parametrize(
    "body",
    [
        "STOP.",
        "opt  out",
        "opt-out",
        "Stop-All",
        "stop_all",
        "STOPALL",
        "OptOut",
        "unsubscribe",
        "cancel",
        "end",
        "quit",
        "Revoke!",
        "\tstop\n",
    ],
)
def test_pending_contact_opt_out_spellings_opt_out(body: str) -> None:
    """§3.1 row: pending | contact sends opt-out keyword, in the spellings §3 accepts."""
    decision = run(pending(Party.CONTACT), from_contact(body, T0 + HOUR), (held(1, T0),))

    assert decision.status is Status.KEYWORD
    assert decision.record.state is State.OPTED_OUT
    assert decision.discard == (1,)


@pytest.mark.parametrize("body", ["yes please", "please stop", "yes yes", "stop it", "y e s"])
def test_pending_contact_keyword_inside_text_is_ordinary_text(body: str) -> None:
    """§3.1 row: pending | either side sends other text (not a whole-message keyword)."""
    record = pending(Party.CONTACT)
    decision = run(record, from_contact(body, T0 + HOUR), (held(1, T0),))

    assert decision.status is Status.HELD
    assert decision.record == record
    assert decision.release == ()
    assert decision.discard == ()


@pytest.mark.parametrize("body", ["yes please", "please stop"])
def test_none_contact_keyword_inside_text_starts_a_cycle(body: str) -> None:
    """§3.1 row: none | contact sends text (a phrase containing a keyword is text)."""
    decision = run(ConsentRecord(), from_contact(body))

    assert decision.status is Status.HELD
    assert decision.record.state is State.PENDING


@pytest.mark.parametrize("body", ["STOP", "stop", "Opt-out", "UNSUBSCRIBE"])
def test_none_employee_stop_is_plain_text_starting_mo_cycle(body: str) -> None:
    """§3 keyword rule: none | employee sends "STOP" — it is text, not an opt-out."""
    decision = run(ConsentRecord(), from_employee(body))

    assert decision.status is Status.HELD
    assert decision.record.state is State.PENDING
    assert decision.record.initiated_by is Party.EMPLOYEE
    assert decision.auto_after == (spec_auto("mo_request"), spec_auto("mo_requested_notice"))


def test_pending_employee_stop_is_plain_text() -> None:
    """§3 keyword rule: pending | employee sends "STOP" — held, the cycle goes on."""
    record = pending(Party.CONTACT)
    decision = run(record, from_employee("STOP", T0 + HOUR), (held(1, T0),))

    assert decision.status is Status.HELD
    assert decision.record == record
    assert decision.discard == ()


# --- changed keywords (SPEC §2) -------------------------------------------------------------


def test_changed_opt_in_replaces_yes() -> None:
    """§3.1 row: pending | opt-in keyword, after opt_in changed to JA: YES is ordinary text."""
    settings = with_keywords(CONSENT, opt_in="JA")
    record = pending(Party.CONTACT)

    yes = run(record, from_contact("YES", T0 + HOUR), (held(1, T0),), settings)
    ja = run(record, from_contact(" Ja! ", T0 + HOUR), (held(1, T0),), settings)

    assert yes.status is Status.HELD
    assert yes.record.state is State.PENDING
    assert ja.status is Status.KEYWORD
    assert ja.record.state is State.OPTED_IN
    assert ja.release == (1,)


def test_changed_opt_in_still_accepts_listed_synonyms() -> None:
    """§3.1 row: pending | opt-in keyword: synonyms keep opting in after opt_in changes."""
    settings = with_keywords(CONSENT, opt_in="JA", opt_in_synonyms=("YES", "OUI"))
    decision = run(pending(Party.CONTACT), from_contact("oui", T0 + HOUR), settings=settings)

    assert decision.record.state is State.OPTED_IN


def test_changed_keywords_show_in_request_texts() -> None:
    """§3.1 row: none | contact sends text, with opt_in JA and opt_out HALT."""
    settings = with_keywords(CONSENT, opt_in="JA", opt_out="HALT")
    decision = run(ConsentRecord(), from_contact("Hallo"), settings=settings)

    assert decision.auto_after[0] == contact_auto(
        "mt_request",
        "[Auto Message] You are trying to reach Ada Lovelace. As per company policy, you must "
        "provide your consent in order for your message to be delivered. To opt in, reply JA. "
        "To opt out, reply HALT.",
    )
    assert decision.record.request_text == decision.auto_after[0].body

    employee_first = run(ConsentRecord(), from_employee("Hallo"), settings=settings)
    assert employee_first.auto_after[0] == contact_auto(
        "mo_request",
        "[Auto Message] Ada Lovelace is trying to reach you. As per company policy, you must "
        "provide your consent to continue messaging. To Opt in, reply JA. To opt out, reply HALT.",
    )


def test_changed_opt_out_shows_in_confirmations_and_opts_out() -> None:
    """§3.1 row: pending | opt-in keyword, then opted_in | opt-out keyword, with opt_out HALT."""
    settings = with_keywords(CONSENT, opt_out="HALT")

    mt = run(pending(Party.CONTACT), from_contact("YES", T0 + HOUR), settings=settings)
    mo = run(pending(Party.EMPLOYEE), from_contact("YES", T0 + HOUR), settings=settings)
    halt = run(mt.record, from_contact("halt!", T0 + DAY), settings=settings)

    assert mt.auto_after[0] == contact_auto(
        "mt_confirmation", "[Auto Message] Opt in confirmed. To opt out at any time, reply HALT."
    )
    assert mo.auto_after[0] == contact_auto(
        "mo_confirmation",
        "[Auto Message]: Opt in confirmed. If you wish to opt out at any time, reply HALT",
    )
    assert halt.status is Status.KEYWORD
    assert halt.record.state is State.OPTED_OUT


def test_custom_template_is_used_for_auto_messages() -> None:
    """§3.1 row: none | contact sends text, with a customized mt_request template."""
    templates = dict(CONSENT.templates)
    templates["mt_request"] = "Reply <Opt-in Text> to reach <Employee Name> at <Company Name>."
    settings = consent_settings(templates=templates)

    decision = run(ConsentRecord(), from_contact("hi"), settings=settings)

    assert decision.auto_after[0] == contact_auto(
        "mt_request", "Reply YES to reach Ada Lovelace at Northwind Bank."
    )


# --- §3.4 read under consent mode -----------------------------------------------------------


def test_decide_refuses_a_system_sender() -> None:
    """Only the contact or the employee send messages through ``decide``."""
    with pytest.raises(ValueError, match="contact or the employee"):
        run(ConsentRecord(), Message(Party.SYSTEM, "hello", T0))


def test_full_mt_cycle_end_to_end() -> None:
    """§3.1 rows in sequence: none → pending (two held) → opted_in (released) → opted_out."""
    record = ConsentRecord()
    first = run(record, from_contact("hello", T0))
    second = run(first.record, from_employee("hi back", T0 + HOUR), (held(1, T0),))
    consent = run(
        second.record, from_contact("YES", T0 + 2 * HOUR), (held(1, T0), held(2, T0 + HOUR))
    )
    chat = run(consent.record, from_employee("great", T0 + 3 * HOUR))
    stop = run(chat.record, from_contact("STOP", T0 + 4 * HOUR))
    blocked = run(stop.record, from_employee("wait", T0 + 5 * HOUR))

    assert [first.status, second.status, consent.status, chat.status, stop.status] == [
        Status.HELD,
        Status.HELD,
        Status.KEYWORD,
        Status.DELIVERED,
        Status.KEYWORD,
    ]
    assert second.auto_messages == ()
    assert consent.release == (1, 2)
    assert [a.template for a in stop.auto_messages] == [
        "mt_optout_confirmation",
        "mt_optout_notice",
    ]
    assert blocked.status is Status.BLOCKED
    assert blocked.record.state is State.OPTED_OUT
