"""What the policy does when the carrier has already handled a keyword (SPEC §7).

Twilio answers STOP, START and HELP itself (``OptOutType`` on the inbound message), refuses
sends to a contact who stopped (error 21610), and WhatsApp reports a user who stopped
marketing messages (error 131050, or a ``user_preferences`` notification). The carrier has
already texted the contact, so these rules never text the contact again; the employee is
told as SPEC §3.1 says, and the record keeps who reported it (``optout_source``).
"""

from __future__ import annotations

from dataclasses import replace

from consentline.domain.consent import ConsentRecord, Party, State, Status, cycle_prefix
from consentline.domain.policy import (
    Decision,
    HeldMessage,
    Message,
    Names,
    _Draft,
    _opt_out,
    _split_expired,
    decide,
)
from consentline.domain.settings import Mode, PolicySettings

Held = list[HeldMessage] | tuple[HeldMessage, ...]
CARRIER_HELP_REASON = "carrier_help"
NO_NAMES = Names("", "")


def carrier_opt_out(
    record: ConsentRecord,
    settings: PolicySettings,
    message: Message,
    held: Held = (),
    names: Names = NO_NAMES,
    *,
    source: str | None = None,
) -> Decision:
    """The carrier says the contact opted out.

    The record becomes ``opted_out`` in every mode and held messages are discarded, like an
    opt-out keyword, but the contact gets no text: the carrier has already answered, and it
    would refuse a second text anyway. The employee gets the opt-out notice once, unless
    SMS Opt-in is off (SPEC §3.3: nothing is generated). ``message`` is the contact's STOP,
    or a stand-in carrying the moment the carrier's report was learned.
    """
    draft = _draft(record, settings, message, held, names)
    mode = settings.active_mode
    if record.state is State.OPTED_OUT:
        draft.status = Status.KEYWORD  # already out: recorded, nothing said twice
        return draft.result()
    if mode is Mode.CONSENT and record.effective_state(mode) is State.NONE:
        initiator: Party | None = Party.CONTACT
    else:
        initiator = record.initiated_by or Party.CONTACT
    _opt_out(draft, initiator, notify=False)
    if mode is not None:
        draft.auto(f"{cycle_prefix(initiator)}optout_notice", Party.EMPLOYEE)
    draft.record = replace(draft.record, optout_source=source)
    return draft.result()


def carrier_opt_in(
    record: ConsentRecord,
    settings: PolicySettings,
    message: Message,
    held: Held = (),
    names: Names = NO_NAMES,
) -> Decision:
    """The carrier handled the contact's START (or UNSTOP) and confirmed it itself.

    Under consent mode, a pending or opted-out contact becomes ``opted_in`` as with the
    opt-in keyword, held messages are delivered and the employee is told, but the contact
    gets no second confirmation. Anywhere else the message is what ``decide`` makes of it.
    """
    mode = settings.active_mode
    state = record.effective_state(mode)
    if mode is not Mode.CONSENT or state not in (State.PENDING, State.OPTED_OUT):
        return decide(record, settings, message, held, names)
    draft = _draft(record, settings, message, held, names)
    initiator = record.initiated_by if state is State.PENDING else Party.CONTACT
    draft.status, draft.decides = Status.KEYWORD, True
    draft.auto(f"{cycle_prefix(initiator)}accepted_notice", Party.EMPLOYEE)
    draft.release = tuple(m.id for m in draft.live_held)
    draft.move(State.OPTED_IN, initiated_by=initiator, decided_at=message.at)
    return draft.result()


def carrier_help(
    record: ConsentRecord,
    settings: PolicySettings,
    message: Message,
    held: Held = (),
    names: Names = NO_NAMES,
) -> Decision:
    """The carrier answered the contact's HELP: recorded (consumed), nothing else changes."""
    draft = _draft(record, settings, message, held, names)
    draft.status, draft.reason = Status.KEYWORD, CARRIER_HELP_REASON
    return draft.result()


def _draft(
    record: ConsentRecord, settings: PolicySettings, message: Message, held: Held, names: Names
) -> _Draft:
    live, expired = _split_expired(held, message.at, settings.hold_max_age)
    return _Draft(settings, names, message, record, live, expired)
