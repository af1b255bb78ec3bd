"""``policy.carrier_opt_out``: the carrier reports an opt-out (Twilio STOP / 21610, WhatsApp
131050). The record becomes opted_out in every mode, held messages are discarded, and nothing
is sent, because the carrier already answered the contact."""

from __future__ import annotations

import pytest

from consentline.domain.consent import Party, State, Status
from consentline.domain.policy import carrier_opt_out, decide
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
)


def test_pending_becomes_opted_out_held_messages_are_discarded_and_nothing_is_sent() -> None:
    record = pending(Party.EMPLOYEE)
    at = T0 + HOUR
    decision = carrier_opt_out(
        record, consent_settings(), from_contact("STOP", at), [held(7, T0), held(8, T0)], NAMES
    )
    assert decision.record.state is State.OPTED_OUT
    assert decision.record.decided_at == at
    assert decision.record.initiated_by is Party.EMPLOYEE  # the cycle's initiator is kept
    assert decision.status is Status.KEYWORD
    assert decision.discard == (7, 8)
    assert decision.release == ()
    assert decision.auto_messages == ()
    assert decision.decides


def test_the_policys_own_stop_would_confirm_the_carriers_does_not() -> None:
    record, settings = opted_in(Party.CONTACT), consent_settings()
    ours = decide(record, settings, from_contact("STOP", T0 + HOUR), (), NAMES)
    theirs = carrier_opt_out(record, settings, from_contact("STOP", T0 + HOUR), (), NAMES)
    assert ours.record.state is theirs.record.state is State.OPTED_OUT
    assert len(ours.auto_messages) == 2
    assert theirs.auto_messages == ()


@pytest.mark.parametrize(
    "settings", [consent_settings(), disclaimer_settings(), disabled_settings()]
)
def test_every_mode_honours_the_carriers_opt_out(settings: PolicySettings) -> None:
    decision = carrier_opt_out(
        disclaimer_sent(Party.CONTACT), settings, from_contact("STOP", T0), (), NAMES
    )
    assert decision.record.state is State.OPTED_OUT
    assert decision.auto_messages == ()


def test_an_opted_out_contact_stays_as_is() -> None:
    record = opted_out(Party.CONTACT)
    decision = carrier_opt_out(record, consent_settings(), from_contact("STOP", T0 + DAY))
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
