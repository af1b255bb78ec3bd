"""A carrier's opt-out report mirrored into the consent record (SPEC §7).

Twilio refusing a send with error 21610 and WhatsApp with 131050 both mean the contact told
the carrier to stop. The conversation becomes ``opted_out`` (``policy.carrier_opt_out``),
its held messages are discarded, and nothing is sent.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import Engine

from consentline.domain.consent import Party, Status
from consentline.domain.phone import mask
from consentline.domain.policy import Message, carrier_opt_out
from consentline.service.settings import policy_settings
from consentline.service.unit_of_work import UnitOfWork
from consentline.store import conversations as store

log = logging.getLogger(__name__)


def mirror_opt_out(engine: Engine, conversation_id: int, reason: str, now: datetime) -> str:
    """Record the carrier's opt-out on a conversation; returns the new state."""
    with UnitOfWork(engine) as uow:
        conn = uow.connection
        conversation = store.lock_conversation_by_id(conn, conversation_id)
        settings = policy_settings(uow, conversation.root_id)
        decision = carrier_opt_out(
            conversation.record, settings, Message(Party.CONTACT, reason, now), conversation.held
        )
        before, after = conversation.record.state.value, decision.record.state.value
        chain = conversation.archive_chain()
        for message_id in decision.expire:
            store.append_status(
                conn, chain, message_id, Status.EXPIRED, "hold_max_age", before, now
            )
        for message_id in decision.discard:
            store.append_status(conn, chain, message_id, Status.DISCARDED, "opted_out", after, now)
        store.release_holds(conn, [*decision.expire, *decision.discard])
        changed = {}
        if decision.record != conversation.record:
            # The evidence is the carrier's report, not a message of ours: no evidence id.
            changed = store.save_record(conn, conversation, chain, decision.record, None, None, now)
            log.info(
                "carrier opt-out (%s) recorded for contact %s",
                reason,
                mask(conversation.contact),
            )
        chain.close(conn, **changed)
        uow.commit()
        return after
