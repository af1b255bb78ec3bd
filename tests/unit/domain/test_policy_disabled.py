"""SPEC §3.3 (SMS Opt-in disabled) and §3.4 (changes of mode), by calling ``decide``."""

from __future__ import annotations

from dataclasses import replace

import pytest

from consentline.domain.consent import ConsentRecord, Party, State, Status
from consentline.domain.policy import (
    OPTED_OUT_REASON,
    AutoMessage,
    Decision,
    HeldMessage,
    Message,
    decide,
)
from consentline.domain.settings import Mode, PolicySettings
from tests.unit.domain.support import (
    DAY,
    DISCLAIMER,
    HOUR,
    NAMES,
    T0,
    consent_settings,
    disabled_settings,
    disclaimer_sent,
    disclaimer_settings,
    from_contact,
    from_employee,
    held,
    opted_in,
    opted_out,
    pending,
    spec_auto,
)

DISABLED = disabled_settings()
NOT_ENTITLED = PolicySettings(entitled=False, enabled=True, mode=Mode.CONSENT)
CONSENT = consent_settings()
DISCLAIMER_MODE = disclaimer_settings()
DISCLAIMER_AUTO = AutoMessage("disclaimer", Party.CONTACT, DISCLAIMER)


def run(
    record: ConsentRecord,
    message: Message,
    settings: PolicySettings,
    held_messages: tuple[HeldMessage, ...] = (),
) -> Decision:
    return decide(record, settings, message, held_messages, NAMES)


# --- §3.3 SMS Opt-in disabled ---------------------------------------------------------------


@pytest.mark.parametrize("settings", [DISABLED, NOT_ENTITLED], ids=["disabled", "not-entitled"])
@pytest.mark.parametrize(
    "message",
    [
        from_contact("Hello"),
        from_employee("Hello"),
        from_contact("YES"),
        from_employee("STOP"),
        from_contact("yes please"),
    ],
    ids=["contact-text", "employee-text", "contact-YES", "employee-STOP", "contact-phrase"],
)
def test_disabled_messages_pass_through_and_nothing_is_generated(
    settings: PolicySettings, message: Message
) -> None:
    """§3.3: messages pass through and are archived; nothing is generated."""
    record = ConsentRecord()
    decision = run(record, message, settings)

    assert decision.status is Status.DELIVERED
    assert decision.reason is None
    assert decision.auto_messages == ()
    assert decision.record == record
    assert decision.release == ()
    assert decision.discard == ()


@pytest.mark.parametrize("settings", [DISABLED, NOT_ENTITLED], ids=["disabled", "not-entitled"])
@pytest.mark.parametrize("body", ["STOP", "stop.", "Opt-out", "UNSUBSCRIBE", "Stop-All"])
def test_disabled_contact_opt_out_is_honored_without_auto_text(
    settings: PolicySettings, body: str
) -> None:
    """§3.3: opt-out keywords are still honored: state opted_out, no auto text."""
    decision = run(ConsentRecord(), from_contact(body, T0 + HOUR), settings)

    assert decision.status is Status.KEYWORD
    assert decision.decides is True
    assert decision.auto_messages == ()
    assert decision.record.state is State.OPTED_OUT
    assert decision.record.decided_at == T0 + HOUR


@pytest.mark.parametrize("body", ["Still there?", "YES", "STOP"])
def test_disabled_opted_out_employee_sends_is_blocked(body: str) -> None:
    """§3.3: after an opt-out the employee's later sends are blocked."""
    stopped = run(ConsentRecord(), from_contact("STOP"), DISABLED)
    decision = run(stopped.record, from_employee(body, T0 + HOUR), DISABLED)

    assert decision.status is Status.BLOCKED
    assert decision.reason == OPTED_OUT_REASON
    assert decision.auto_messages == ()
    assert decision.record == stopped.record


def test_disabled_opted_out_contact_text_passes_through_and_state_stays() -> None:
    """§3.3: an opted-out contact's text passes through; the opt-out stays."""
    record = opted_out(Party.CONTACT)
    decision = run(record, from_contact("Question about my account", T0 + DAY), DISABLED)

    assert decision.status is Status.DELIVERED
    assert decision.auto_messages == ()
    assert decision.record == record


def test_disabled_opted_out_contact_opt_out_again_is_consumed() -> None:
    """§3.3: an opt-out keyword from an opted-out contact changes nothing and sends nothing."""
    record = opted_out(Party.CONTACT)
    decision = run(record, from_contact("STOP", T0 + DAY), DISABLED)

    assert decision.status is Status.KEYWORD
    assert decision.auto_messages == ()
    assert decision.record == record


def test_disabled_opted_out_contact_opt_in_generates_nothing() -> None:
    """§3.3: whatever an opted-out contact's YES does while disabled, nothing is generated."""
    decision = run(opted_out(Party.CONTACT), from_contact("YES", T0 + DAY), DISABLED)

    assert decision.auto_messages == ()
    assert decision.release == ()


@pytest.mark.parametrize(
    "record",
    [pending(Party.CONTACT), opted_in(Party.EMPLOYEE), disclaimer_sent(Party.CONTACT)],
    ids=["pending", "opted_in", "disclaimer_sent"],
)
@pytest.mark.parametrize(
    "message",
    [from_contact("Hello", T0 + HOUR), from_employee("Hello", T0 + HOUR)],
    ids=["contact", "employee"],
)
def test_disabled_keeps_consent_records(record: ConsentRecord, message: Message) -> None:
    """§3.3: consent records are kept (they apply again when re-enabled)."""
    decision = run(
        record, message, DISABLED, (held(1, T0),) if record.state is State.PENDING else ()
    )

    assert decision.status is Status.DELIVERED
    assert decision.record == record
    assert decision.auto_messages == ()
    assert decision.release == ()


# --- §3.4 changes of mode -------------------------------------------------------------------


@pytest.mark.parametrize("initiated_by", [Party.CONTACT, Party.EMPLOYEE])
def test_consent_mode_reads_disclaimer_sent_as_none_for_contact_text(initiated_by: Party) -> None:
    """§3.4: under consent, disclaimer_sent counts as none (contact sends text → MT cycle)."""
    decision = run(disclaimer_sent(initiated_by), from_contact("Hi", T0 + DAY), CONSENT)

    assert decision.status is Status.HELD
    assert decision.auto_after == (spec_auto("mt_request"), spec_auto("mt_requested_notice"))
    assert decision.record.state is State.PENDING
    assert decision.record.initiated_by is Party.CONTACT
    assert decision.record.mode is Mode.CONSENT


@pytest.mark.parametrize("initiated_by", [Party.CONTACT, Party.EMPLOYEE])
def test_consent_mode_reads_disclaimer_sent_as_none_for_employee_text(initiated_by: Party) -> None:
    """§3.4: under consent, disclaimer_sent counts as none (employee sends text → MO cycle)."""
    decision = run(disclaimer_sent(initiated_by), from_employee("Hi", T0 + DAY), CONSENT)

    assert decision.status is Status.HELD
    assert decision.auto_after == (spec_auto("mo_request"), spec_auto("mo_requested_notice"))
    assert decision.record.state is State.PENDING
    assert decision.record.initiated_by is Party.EMPLOYEE


def test_consent_mode_reads_disclaimer_sent_as_none_for_yes() -> None:
    """§3.4: under consent, disclaimer_sent counts as none (an unprompted YES is text)."""
    decision = run(disclaimer_sent(Party.EMPLOYEE), from_contact("YES", T0 + DAY), CONSENT)

    assert decision.status is Status.HELD
    assert decision.record.state is State.PENDING
    assert decision.decides is False


def test_consent_mode_reads_disclaimer_sent_as_none_for_opt_out() -> None:
    """§3.4: under consent, disclaimer_sent counts as none (first message opt-out → MT texts)."""
    decision = run(disclaimer_sent(Party.CONTACT), from_contact("STOP", T0 + DAY), CONSENT)

    assert decision.status is Status.KEYWORD
    assert decision.auto_after == (
        spec_auto("mt_optout_confirmation"),
        spec_auto("mt_optout_notice"),
    )
    assert decision.record.state is State.OPTED_OUT


def test_disclaimer_mode_reads_pending_as_none_for_employee_text() -> None:
    """§3.4: under disclaimer, pending counts as none; held messages are not released."""
    decision = run(
        pending(Party.CONTACT), from_employee("Hi", T0 + HOUR), DISCLAIMER_MODE, (held(1, T0),)
    )

    assert decision.status is Status.DELIVERED
    assert decision.auto_before == (DISCLAIMER_AUTO,)
    assert decision.record.state is State.DISCLAIMER_SENT
    assert decision.record.mode is Mode.DISCLAIMER
    assert decision.release == ()
    assert decision.discard == ()


def test_disclaimer_mode_reads_pending_as_none_for_contact_text() -> None:
    """§3.4: under disclaimer, pending counts as none; held messages are not released."""
    decision = run(
        pending(Party.EMPLOYEE), from_contact("Hi", T0 + HOUR), DISCLAIMER_MODE, (held(1, T0),)
    )

    assert decision.status is Status.DELIVERED
    assert decision.auto_after == (DISCLAIMER_AUTO,)
    assert decision.record.state is State.DISCLAIMER_SENT
    assert decision.release == ()


@pytest.mark.parametrize(
    ("initiated_by", "prefix"), [(Party.CONTACT, "mt_"), (Party.EMPLOYEE, "mo_")]
)
def test_disclaimer_mode_reads_pending_as_none_for_opt_out(
    initiated_by: Party, prefix: str
) -> None:
    """§3.4: under disclaimer, pending counts as none (opt-out → opted_out, held discarded)."""
    decision = run(
        pending(initiated_by), from_contact("STOP", T0 + HOUR), DISCLAIMER_MODE, (held(1, T0),)
    )

    assert decision.status is Status.KEYWORD
    assert decision.auto_after == (
        spec_auto(f"{prefix}optout_confirmation"),
        spec_auto(f"{prefix}optout_notice"),
    )
    assert decision.record.state is State.OPTED_OUT
    assert decision.discard == (1,)
    assert decision.release == ()


@pytest.mark.parametrize(
    "message",
    [from_contact("Hi", T0 + DAY), from_employee("Hi", T0 + DAY), from_contact("YES", T0 + DAY)],
    ids=["contact", "employee", "contact-YES"],
)
def test_disclaimer_mode_reads_opted_in_as_disclaimer_sent(message: Message) -> None:
    """§3.4: under disclaimer, opted_in counts as disclaimer_sent (delivered, no disclaimer)."""
    record = opted_in(Party.CONTACT)
    decision = run(record, message, DISCLAIMER_MODE)

    assert decision.status is Status.DELIVERED
    assert decision.auto_messages == ()
    assert decision.record.state is State.OPTED_IN


@pytest.mark.parametrize(
    ("initiated_by", "prefix"), [(Party.CONTACT, "mt_"), (Party.EMPLOYEE, "mo_")]
)
def test_disclaimer_mode_opted_in_contact_opt_out(initiated_by: Party, prefix: str) -> None:
    """§3.4: under disclaimer, opted_in counts as disclaimer_sent (opt-out → opted_out)."""
    decision = run(opted_in(initiated_by), from_contact("stop", T0 + DAY), DISCLAIMER_MODE)

    assert decision.status is Status.KEYWORD
    assert decision.auto_after == (
        spec_auto(f"{prefix}optout_confirmation"),
        spec_auto(f"{prefix}optout_notice"),
    )
    assert decision.record.state is State.OPTED_OUT


@pytest.mark.parametrize(
    "settings",
    [CONSENT, DISCLAIMER_MODE, DISABLED, NOT_ENTITLED],
    ids=["consent", "disclaimer", "disabled", "not-entitled"],
)
@pytest.mark.parametrize("made_under", [Mode.CONSENT, Mode.DISCLAIMER, None])
def test_opted_out_holds_in_every_mode(settings: PolicySettings, made_under: Mode | None) -> None:
    """§3.4: opted_out holds in every mode (the employee's send is blocked)."""
    record = opted_out(Party.EMPLOYEE, mode=made_under)
    decision = run(record, from_employee("Hello?", T0 + DAY), settings)

    assert decision.status is Status.BLOCKED
    assert decision.reason == OPTED_OUT_REASON
    assert decision.auto_messages == ()
    assert decision.record == record


@pytest.mark.parametrize(
    "settings", [DISABLED, DISCLAIMER_MODE, NOT_ENTITLED], ids=["disabled", "disclaimer", "ne"]
)
@pytest.mark.parametrize(
    "message",
    [from_contact("Hi", T0 + HOUR), from_employee("Hi", T0 + HOUR)],
    ids=["contact", "employee"],
)
def test_settings_change_never_releases_held_messages(
    settings: PolicySettings, message: Message
) -> None:
    """§3.4: a settings change never releases held messages."""
    decision = run(pending(Party.CONTACT), message, settings, (held(1, T0), held(2, T0 + 1 * HOUR)))

    assert decision.release == ()
    assert decision.discard == ()
    assert decision.expire == ()


def test_held_messages_wait_through_a_disabled_spell_for_the_contact_decision() -> None:
    """§3.4: held messages wait for the contact's decision across a mode change."""
    held_messages = (held(1, T0), held(2, T0 + HOUR))
    record = pending(Party.EMPLOYEE)

    off = run(record, from_employee("while off", T0 + 2 * HOUR), DISABLED, held_messages)
    assert off.release == ()
    assert off.record == record

    back_on = run(off.record, from_contact("YES", T0 + 3 * HOUR), CONSENT, held_messages)
    assert back_on.status is Status.KEYWORD
    assert back_on.release == (1, 2)
    assert back_on.record.state is State.OPTED_IN
    assert back_on.auto_after == (spec_auto("mo_confirmation"), spec_auto("mo_accepted_notice"))


def test_held_messages_still_expire_after_a_mode_change() -> None:
    """§3.4: held messages wait for the decision or expire, in any mode."""
    held_messages = (held(1, T0), held(2, T0 + 6 * DAY))
    now = T0 + 7 * DAY + HOUR

    for settings in (DISABLED, DISCLAIMER_MODE):
        decision = run(pending(Party.CONTACT), from_employee("hi", now), settings, held_messages)
        assert decision.expire == (1,)
        assert decision.release == ()


def test_record_keeps_the_mode_it_was_made_under_while_disabled() -> None:
    """§3.3/§3.4: an opt-out honored while disabled keeps the record's earlier mode."""
    record = replace(disclaimer_sent(Party.CONTACT), mode=Mode.DISCLAIMER)
    decision = run(record, from_contact("STOP", T0 + DAY), DISABLED)

    assert decision.record.state is State.OPTED_OUT
    assert decision.record.mode is Mode.DISCLAIMER
