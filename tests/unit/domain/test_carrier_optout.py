"""``carrier_policy``: the carrier has handled a keyword itself (Twilio STOP / START / HELP,
error 21610, WhatsApp 131050 or a ``user_preferences`` stop). The contact is never texted
again; the employee is told once; the record keeps the carrier's source."""

from __future__ import annotations

import pytest

from consentline.domain.carrier_policy import carrier_help, carrier_opt_in, carrier_opt_out
from consentline.domain.consent import Party, State, Status
from consentline.domain.policy import decide
from consentline.domain.settings import PolicySettings
from tests.unit.domain.support import (
    DAY,
    HOUR,
    NAMES,
    T0,
    consent_settings,
    disabled_settings,
    disclaimer_sent,
    disclaimer_settings,
    from_contact,
    held,
    opted_in,
    opted_out,
    pending,
    spec_auto,
)


def test_pending_becomes_opted_out_held_are_discarded_and_only_the_employee_is_told() -> None:
    record = pending(Party.EMPLOYEE)
    at = T0 + HOUR
    decision = carrier_opt_out(
        record,
        consent_settings(),
        from_contact("STOP", at),
        [held(7, T0), held(8, T0)],
        NAMES,
        source="twilio:STOP",
    )
    assert decision.record.state is State.OPTED_OUT
    assert decision.record.decided_at == at
    assert decision.record.initiated_by is Party.EMPLOYEE  # the cycle's initiator is kept
    assert decision.record.optout_source == "twilio:STOP"
    assert decision.status is Status.KEYWORD
    assert decision.discard == (7, 8)
    assert decision.release == ()
    assert decision.auto_messages == (spec_auto("mo_optout_notice"),)
    assert decision.decides


def test_the_policys_own_stop_confirms_to_the_contact_the_carriers_does_not() -> None:
    record, settings = opted_in(Party.CONTACT), consent_settings()
    ours = decide(record, settings, from_contact("STOP", T0 + HOUR), (), NAMES)
    theirs = carrier_opt_out(record, settings, from_contact("STOP", T0 + HOUR), (), NAMES)
    assert ours.record.state is theirs.record.state is State.OPTED_OUT
    assert [a.template for a in ours.auto_messages] == [
        "mt_optout_confirmation",
        "mt_optout_notice",
    ]
    assert [a.recipient for a in theirs.auto_messages] == [Party.EMPLOYEE]
    assert ours.record.optout_source is None


@pytest.mark.parametrize(
    ("settings", "notices"),
    [(consent_settings(), 1), (disclaimer_settings(), 1), (disabled_settings(), 0)],
)
def test_every_mode_honours_the_carriers_opt_out(settings: PolicySettings, notices: int) -> None:
    decision = carrier_opt_out(
        disclaimer_sent(Party.CONTACT), settings, from_contact("STOP", T0), (), NAMES
    )
    assert decision.record.state is State.OPTED_OUT
    assert all(a.recipient is Party.EMPLOYEE for a in decision.auto_messages)
    assert len(decision.auto_messages) == notices  # SPEC §3.3: nothing generated when off


def test_an_opted_out_contact_stays_as_is_and_nobody_is_told_twice() -> None:
    record = opted_out(Party.CONTACT)
    decision = carrier_opt_out(
        record, consent_settings(), from_contact("STOP", T0 + DAY), source="whatsapp:131050"
    )
    assert decision.record == record
    assert decision.status is Status.KEYWORD
    assert not decision.decides
    assert decision.auto_messages == ()


def test_held_messages_past_their_age_expire_rather_than_being_discarded() -> None:
    settings = consent_settings(hold_max_age=3600)
    at = T0 + 2 * HOUR
    decision = carrier_opt_out(
        pending(Party.CONTACT), settings, from_contact("STOP", at), [held(1, T0), held(2, at)]
    )
    assert decision.expire == (1,)
    assert decision.discard == (2,)


def test_a_carrier_start_after_a_carrier_stop_opts_in_without_a_second_confirmation() -> None:
    stopped = carrier_opt_out(
        pending(Party.CONTACT), consent_settings(), from_contact("STOP", T0), source="twilio:STOP"
    ).record
    decision = carrier_opt_in(stopped, consent_settings(), from_contact("START", T0 + HOUR))
    assert decision.record.state is State.OPTED_IN
    assert decision.record.optout_source is None
    assert decision.decides
    assert decision.status is Status.KEYWORD
    assert [a.template for a in decision.auto_messages] == ["mt_accepted_notice"]


def test_a_carrier_start_while_pending_releases_the_held_messages() -> None:
    decision = carrier_opt_in(
        pending(Party.EMPLOYEE), consent_settings(), from_contact("START", T0 + HOUR), [held(4, T0)]
    )
    assert decision.record.state is State.OPTED_IN
    assert decision.release == (4,)
    assert [a.template for a in decision.auto_messages] == ["mo_accepted_notice"]


def test_a_carrier_start_elsewhere_is_what_the_policy_makes_of_it() -> None:
    record, settings = opted_in(Party.CONTACT), consent_settings()
    message = from_contact("START", T0)
    assert carrier_opt_in(record, settings, message) == decide(record, settings, message)


def test_a_carrier_help_is_recorded_and_changes_nothing() -> None:
    record = pending(Party.CONTACT)
    decision = carrier_help(record, consent_settings(), from_contact("HELP", T0 + HOUR))
    assert decision.record == record
    assert (decision.status, decision.reason) == (Status.KEYWORD, "carrier_help")
    assert decision.auto_messages == ()
