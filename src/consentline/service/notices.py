"""A carrier's notice about a contact (a WhatsApp ``system`` message such as "changed their
number", or a marketing preference they resumed): recorded on the conversation and passed
to the employee, never taken as the contact's message, so it never starts an opt-in cycle.
"""

from __future__ import annotations

from datetime import datetime

from consentline.domain.consent import Kind, Party, Status
from consentline.domain.messages import Channel
from consentline.domain.policy import Decision
from consentline.service.access import Principal, Privilege
from consentline.service.messaging import LineRef, find_line
from consentline.service.record_decision import record_decision
from consentline.service.unit_of_work import UnitOfWork
from consentline.store import conversations as store
from consentline.store.conversations import NewMessage

NOTICE_TEMPLATE = "carrier_notice"


def record_notice(
    uow: UnitOfWork,
    principal: Principal,
    *,
    line: LineRef,
    contact: str,
    channel: Channel,
    body: str,
    now: datetime,
    provider_message_id: str | None = None,
    region: str = "US",
) -> int:
    """Archive the notice (once per carrier id) and queue it to the employee, in the caller's
    unit of work; returns its message id. ``contact`` is already the contact's key
    (``phone.contact_id``)."""
    principal.require(Privilege.MESSAGING)
    conn = uow.connection
    found = find_line(conn, principal, line, region)
    conversation = store.lock_conversation(
        conn, found.root_id, found.id, contact, channel.value, now
    )
    if provider_message_id:
        first = store.find_receipt(conn, found.root_id, channel.value, provider_message_id)
        if first is not None:
            return int(first["id"])
    notice = NewMessage(
        Party.SYSTEM.value,
        Party.EMPLOYEE.value,
        Kind.AUTO.value,
        NOTICE_TEMPLATE,
        body,
        provider_message_id,
    )
    # Told, not decided: the record stays as it is and the notice goes to the employee.
    unchanged = Decision(conversation.record, Status.DELIVERED, language=conversation.language)
    message_id = record_decision(conn, conversation, unchanged, notice, now).message_id
    assert message_id is not None
    if provider_message_id:
        receipt = {"id": message_id, "status": "delivered", "consent": None}
        store.save_receipt(conn, found.root_id, channel.value, provider_message_id, receipt, now)
    return message_id
