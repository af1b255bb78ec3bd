"""A carrier's opt-out report mirrored into the consent record (SPEC §7).

Twilio refusing a send with error 21610, WhatsApp with 131050, and WhatsApp's
``user_preferences`` notification with the value ``stop`` all mean the contact told the
carrier to stop. The conversation becomes ``opted_out`` (``carrier_policy.carrier_opt_out``),
its held messages are discarded, the employee gets the opt-out notice once, and the contact
gets nothing. The record keeps the report's source (``twilio:21610``).
"""

from __future__ import annotations

import logging
from datetime import datetime

from consentline.domain.carrier_policy import carrier_opt_out
from consentline.domain.consent import Party
from consentline.domain.phone import mask
from consentline.domain.policy import Message, Names
from consentline.service.record_decision import record_decision
from consentline.service.settings import policy_settings_from
from consentline.service.unit_of_work import UnitOfWork
from consentline.store import conversations as store, orgs as org_store
from consentline.store.conversations import ConversationRow

log = logging.getLogger(__name__)


def mirror_opt_out(uow: UnitOfWork, conversation_id: int, source: str, now: datetime) -> str:
    """Record the carrier's opt-out on a conversation; returns the new state. Part of the
    caller's unit of work (the delivery report that carried it), which commits both."""
    conversation = store.lock_conversation_by_id(uow.connection, conversation_id)
    return _apply(uow, conversation, source, now)


def opt_out_contact(
    uow: UnitOfWork,
    *,
    root_id: int,
    line_id: int,
    contact: str,
    channel: str,
    source: str,
    now: datetime,
) -> str:
    """The carrier's opt-out for a contact of a line, whether or not they ever wrote."""
    conversation = store.lock_conversation(uow.connection, root_id, line_id, contact, channel, now)
    return _apply(uow, conversation, source, now)


def _apply(uow: UnitOfWork, conversation: ConversationRow, source: str, now: datetime) -> str:
    conn = uow.connection
    found = org_store.line_with_policy(conn, conversation.line_id)
    assert found is not None  # a conversation's line is never deleted
    settings = policy_settings_from(found.settings_document)
    names = Names(employee_name=found.line.employee_name, company_name=found.company_name)
    decision = carrier_opt_out(
        conversation.record,
        settings,
        Message(Party.CONTACT, source, now),
        conversation.held,
        names,
        source=source,
    )
    # The evidence is the carrier's report, not a message of ours: no message, no evidence id.
    record_decision(conn, conversation, decision, None, now)
    if decision.record != conversation.record:
        log.info("carrier opt-out (%s) recorded for contact %s", source, mask(conversation.contact))
    return decision.record.state.value
