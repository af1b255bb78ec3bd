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
from tests.spec_texts import (
    COMPANY as COMPANY,
    DISCLAIMER as DISCLAIMER,
    EMPLOYEE as EMPLOYEE,
    MO_ACCEPTED_NOTICE as MO_ACCEPTED_NOTICE,
    MO_CONFIRMATION as MO_CONFIRMATION,
    MO_OPTOUT_CONFIRMATION as MO_OPTOUT_CONFIRMATION,
    MO_OPTOUT_NOTICE as MO_OPTOUT_NOTICE,
    MO_REQUEST as MO_REQUEST,
    MO_REQUESTED_NOTICE as MO_REQUESTED_NOTICE,
    MT_ACCEPTED_NOTICE as MT_ACCEPTED_NOTICE,
    MT_CONFIRMATION as MT_CONFIRMATION,
    MT_OPTOUT_CONFIRMATION as MT_OPTOUT_CONFIRMATION,
    MT_OPTOUT_NOTICE as MT_OPTOUT_NOTICE,
    MT_REQUEST as MT_REQUEST,
    MT_REQUESTED_NOTICE as MT_REQUESTED_NOTICE,
    SPEC_TEXTS as SPEC_TEXTS,
)

NAMES = Names(employee_name=EMPLOYEE, company_name=COMPANY)

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


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
