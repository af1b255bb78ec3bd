"""SPEC §3.2 (Opt-in Disclaimer), row by row, by calling ``decide`` directly."""

from __future__ import annotations

import pytest

from consentline.domain.consent import ConsentRecord, Party, State, Status
from consentline.domain.policy import OPTED_OUT_REASON, AutoMessage, Decision, Message, decide
from consentline.domain.settings import Mode, PolicySettings
from tests.unit.domain.support import (
    DAY,
    DISCLAIMER,
    HOUR,
    NAMES,
    T0,
    disclaimer_sent,
    disclaimer_settings,
    from_contact,
    from_employee,
    opted_out,
    spec_auto,
    with_keywords,
)

DISCLAIMER_MODE = disclaimer_settings()
DISCLAIMER_AUTO = AutoMessage("disclaimer", Party.CONTACT, DISCLAIMER)


def run(
    record: ConsentRecord, message: Message, settings: PolicySettings = DISCLAIMER_MODE
) -> Decision:
    return decide(record, settings, message, (), NAMES)


def test_none_employee_sends_disclaimer_goes_first_then_text_is_delivered() -> None:
    """§3.2 row: none | employee sends."""
    decision = run(ConsentRecord(), from_employee("Your statement is ready."))

    assert decision.status is Status.DELIVERED
    assert decision.reason is None
    assert decision.auto_before == (DISCLAIMER_AUTO,)
    assert decision.auto_after == ()
    assert decision.record.state is State.DISCLAIMER_SENT
    assert decision.record.mode is Mode.DISCLAIMER
    assert decision.record.initiated_by is Party.EMPLOYEE
    assert decision.decides is False


@pytest.mark.parametrize("body", ["Hello, is the branch open?", "YES", "start"])
def test_none_contact_sends_text_is_delivered_and_disclaimer_sent(body: str) -> None:
    """§3.2 row: none | contact sends."""
    decision = run(ConsentRecord(), from_contact(body))

    assert decision.status is Status.DELIVERED
    assert decision.auto_before == ()
    assert decision.auto_after == (DISCLAIMER_AUTO,)
    assert decision.record.state is State.DISCLAIMER_SENT
    assert decision.record.mode is Mode.DISCLAIMER
    assert decision.record.initiated_by is Party.CONTACT


@pytest.mark.parametrize(
    "message",
    [
        from_contact("Thanks!", T0 + DAY),
        from_employee("You're welcome", T0 + DAY),
        from_contact("YES", T0 + DAY),
        from_employee("STOP", T0 + DAY),
    ],
    ids=["contact-text", "employee-text", "contact-YES", "employee-STOP"],
)
@pytest.mark.parametrize("initiated_by", [Party.CONTACT, Party.EMPLOYEE])
def test_disclaimer_sent_any_text_either_way_is_delivered(
    message: Message, initiated_by: Party
) -> None:
    """§3.2 row: disclaimer_sent | any text either way."""
    record = disclaimer_sent(initiated_by)
    decision = run(record, message)

    assert decision.status is Status.DELIVERED
    assert decision.auto_messages == ()
    assert decision.record == record


@pytest.mark.parametrize("body", ["STOP", "Stop-All", "opt  out", "CANCEL."])
def test_none_contact_opt_out_opts_out_with_mt_texts(body: str) -> None:
    """§3.2 row: none | contact sends opt-out keyword."""
    decision = run(ConsentRecord(), from_contact(body))

    assert decision.status is Status.KEYWORD
    assert decision.decides is True
    assert decision.auto_before == ()
    assert decision.auto_after == (
        spec_auto("mt_optout_confirmation"),
        spec_auto("mt_optout_notice"),
    )
    assert decision.record.state is State.OPTED_OUT
    assert decision.record.decided_at == T0


@pytest.mark.parametrize(
    ("initiated_by", "prefix"), [(Party.CONTACT, "mt_"), (Party.EMPLOYEE, "mo_")]
)
def test_disclaimer_sent_contact_opt_out_uses_texts_of_first_sender(
    initiated_by: Party, prefix: str
) -> None:
    """§3.2 row: disclaimer_sent | contact sends opt-out keyword (texts after first sender)."""
    decision = run(disclaimer_sent(initiated_by), from_contact("stop", T0 + DAY))

    assert decision.status is Status.KEYWORD
    assert decision.auto_after == (
        spec_auto(f"{prefix}optout_confirmation"),
        spec_auto(f"{prefix}optout_notice"),
    )
    assert decision.record.state is State.OPTED_OUT
    assert decision.record.initiated_by is initiated_by
    assert decision.record.decided_at == T0 + DAY


@pytest.mark.parametrize("body", ["Hello again", "YES", "STOP"])
def test_opted_out_employee_sends_is_blocked(body: str) -> None:
    """§3.2 row: opted_out | employee sends."""
    record = opted_out(Party.EMPLOYEE, mode=Mode.DISCLAIMER)
    decision = run(record, from_employee(body, T0 + DAY))

    assert decision.status is Status.BLOCKED
    assert decision.reason == OPTED_OUT_REASON
    assert decision.auto_messages == ()
    assert decision.record == record


@pytest.mark.parametrize("body", ["I have a question", "YES", "start", "please stop"])
def test_opted_out_contact_sends_non_opt_out_is_delivered_and_disclaimer_sent_again(
    body: str,
) -> None:
    """§3.2 row: opted_out | contact sends anything but an opt-out keyword."""
    decision = run(opted_out(Party.CONTACT, mode=Mode.DISCLAIMER), from_contact(body, T0 + DAY))

    assert decision.status is Status.DELIVERED
    assert decision.auto_before == ()
    assert decision.auto_after == (DISCLAIMER_AUTO,)
    assert decision.record.state is State.DISCLAIMER_SENT


@pytest.mark.parametrize("body", ["STOP", "stop!", "QUIT", "opt-out"])
def test_opted_out_contact_sends_opt_out_is_consumed_and_nothing_sent(body: str) -> None:
    """§3.2 row: opted_out | contact sends an opt-out keyword."""
    record = opted_out(Party.CONTACT, mode=Mode.DISCLAIMER)
    decision = run(record, from_contact(body, T0 + DAY))

    assert decision.status is Status.KEYWORD
    assert decision.auto_messages == ()
    assert decision.record == record


def test_disclaimer_shows_changed_opt_out_keyword() -> None:
    """§3.2 row: none | employee sends, with opt_out changed to HALT."""
    settings = with_keywords(DISCLAIMER_MODE, opt_out="HALT")
    decision = run(ConsentRecord(), from_employee("Hi"), settings)

    assert decision.auto_before == (
        AutoMessage(
            "disclaimer",
            Party.CONTACT,
            "[Auto Message] You are receiving messages from Ada Lovelace on behalf of "
            "Northwind Bank. To opt out, reply HALT.",
        ),
    )


def test_disclaimer_sequence_tells_the_contact_once() -> None:
    """§3.2 rows in sequence: none → disclaimer_sent → opted_out → disclaimer_sent."""
    first = run(ConsentRecord(), from_employee("Hi", T0))
    reply = run(first.record, from_contact("Hi Ada", T0 + HOUR))
    more = run(reply.record, from_employee("Great", T0 + 2 * HOUR))
    stop = run(more.record, from_contact("STOP", T0 + 3 * HOUR))
    blocked = run(stop.record, from_employee("Sorry", T0 + 4 * HOUR))
    back = run(blocked.record, from_contact("Actually, one more thing", T0 + 5 * HOUR))
    after = run(back.record, from_employee("Sure", T0 + 6 * HOUR))

    templates = [
        [auto.template for auto in d.auto_messages]
        for d in (first, reply, more, stop, blocked, back, after)
    ]
    assert templates == [
        ["disclaimer"],
        [],
        [],
        ["mo_optout_confirmation", "mo_optout_notice"],
        [],
        ["disclaimer"],
        [],
    ]
    assert blocked.status is Status.BLOCKED
    assert after.status is Status.DELIVERED
    assert after.record.state is State.DISCLAIMER_SENT
