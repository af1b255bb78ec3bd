"""Shared test data for the domain tests: SPEC §4 texts written out, and small builders.

The texts below are copied from SPEC §4 with the employee name ("Ada Lovelace") and the
company name ("Northwind Bank") substituted by hand, so the tests never compare the code
under test with itself.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from consentline.domain.consent import ConsentRecord, Party, State
from consentline.domain.keywords import Keywords
from consentline.domain.policy import AutoMessage, HeldMessage, Message, Names
from consentline.domain.settings import Mode, PolicySettings

EMPLOYEE = "Ada Lovelace"
COMPANY = "Northwind Bank"
NAMES = Names(employee_name=EMPLOYEE, company_name=COMPANY)

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)

MT_REQUEST = (
    "[Auto Message] You are trying to reach Ada Lovelace. As per company policy, you must "
    "provide your consent in order for your message to be delivered. To opt in, reply YES. "
    "To opt out, reply STOP."
)
MT_REQUESTED_NOTICE = (
    "[Auto Message] A contact has attempted to send you a message. As per company policy, "
    "they have been sent a request to opt in. Once confirmed, you will be able to "
    "send/receive messages."
)
MT_ACCEPTED_NOTICE = (
    "[Auto Message] Your Contact has opted in. You may continue to send/receive messages."
)
MT_CONFIRMATION = "[Auto Message] Opt in confirmed. To opt out at any time, reply STOP."
MT_OPTOUT_NOTICE = (
    "[Auto Message] Your contact has opted out. No further messages can be sent to this "
    "contact until they have provided their consent again."
)
MT_OPTOUT_CONFIRMATION = (
    "[Automated Message] Opt out confirmed. If you change your mind, please reply with a new "
    "message."
)
MO_REQUEST = (
    "[Auto Message] Ada Lovelace is trying to reach you. As per company policy, you must "
    "provide your consent to continue messaging. To Opt in, reply YES. To opt out, reply STOP."
)
MO_REQUESTED_NOTICE = (
    "[Automated Message]: Your contact has been sent a request to Opt-in. Once they accept, "
    "you will be able to message with your contact."
)
MO_ACCEPTED_NOTICE = (
    "[Auto Message]: Your Contact has opted in. You may continue to send/receive messages."
)
MO_CONFIRMATION = "[Auto Message]: Opt in confirmed. If you wish to opt out at any time, reply STOP"
MO_OPTOUT_NOTICE = (
    "[Auto Message]:Your contact has opted out. No further messages can be sent to this "
    "contact until they have provided their consent again."
)
MO_OPTOUT_CONFIRMATION = (
    "[Auto Message]: Opt out confirmed. If you change your mind, please reply with a new message."
)
DISCLAIMER = (
    "[Auto Message] You are receiving messages from Ada Lovelace on behalf of Northwind Bank. "
    "To opt out, reply STOP."
)

SPEC_TEXTS: dict[str, str] = {
    "mt_request": MT_REQUEST,
    "mt_requested_notice": MT_REQUESTED_NOTICE,
    "mt_accepted_notice": MT_ACCEPTED_NOTICE,
    "mt_confirmation": MT_CONFIRMATION,
    "mt_optout_notice": MT_OPTOUT_NOTICE,
    "mt_optout_confirmation": MT_OPTOUT_CONFIRMATION,
    "mo_request": MO_REQUEST,
    "mo_requested_notice": MO_REQUESTED_NOTICE,
    "mo_accepted_notice": MO_ACCEPTED_NOTICE,
    "mo_confirmation": MO_CONFIRMATION,
    "mo_optout_notice": MO_OPTOUT_NOTICE,
    "mo_optout_confirmation": MO_OPTOUT_CONFIRMATION,
    "disclaimer": DISCLAIMER,
}

SPEC_RECIPIENTS: dict[str, Party] = {
    key: Party.EMPLOYEE if key.endswith("_notice") else Party.CONTACT for key in SPEC_TEXTS
}


def spec_auto(template: str) -> AutoMessage:
    """The auto message SPEC §4 describes for ``template``, with default keywords."""
    return AutoMessage(template, SPEC_RECIPIENTS[template], SPEC_TEXTS[template])


def consent_settings(**changes: Any) -> PolicySettings:
    return PolicySettings(entitled=True, enabled=True, mode=Mode.CONSENT, **changes)


def disclaimer_settings(**changes: Any) -> PolicySettings:
    return PolicySettings(entitled=True, enabled=True, mode=Mode.DISCLAIMER, **changes)


def disabled_settings(**changes: Any) -> PolicySettings:
    return PolicySettings(entitled=True, enabled=False, **changes)


def with_keywords(settings: PolicySettings, **changes: Any) -> PolicySettings:
    return replace(settings, keywords=replace(Keywords(), **changes))


def from_contact(body: str, at: datetime = T0) -> Message:
    return Message(Party.CONTACT, body, at)


def from_employee(body: str, at: datetime = T0) -> Message:
    return Message(Party.EMPLOYEE, body, at)


def held(message_id: int, at: datetime) -> HeldMessage:
    return HeldMessage(id=message_id, created_at=at)


def pending(initiated_by: Party, at: datetime = T0, mode: Mode = Mode.CONSENT) -> ConsentRecord:
    """A record just after a request went out (as ``none`` + first message leaves it)."""
    request = MT_REQUEST if initiated_by is Party.CONTACT else MO_REQUEST
    return ConsentRecord(
        state=State.PENDING,
        mode=mode,
        initiated_by=initiated_by,
        requested_at=at,
        last_request_at=at,
        request_text=request,
    )


def opted_in(initiated_by: Party, at: datetime = T0, mode: Mode = Mode.CONSENT) -> ConsentRecord:
    return replace(pending(initiated_by, at, mode), state=State.OPTED_IN, decided_at=at + HOUR)


def opted_out(
    initiated_by: Party, at: datetime = T0, mode: Mode | None = Mode.CONSENT
) -> ConsentRecord:
    return replace(
        pending(initiated_by, at), state=State.OPTED_OUT, mode=mode, decided_at=at + HOUR
    )


def disclaimer_sent(initiated_by: Party, mode: Mode = Mode.DISCLAIMER) -> ConsentRecord:
    return ConsentRecord(state=State.DISCLAIMER_SENT, mode=mode, initiated_by=initiated_by)
