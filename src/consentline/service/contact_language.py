"""Staff set a contact's language (otherwise it is the language of their last keyword)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from consentline.domain.errors import InvalidInput
from consentline.domain.messages import Channel
from consentline.domain.phone import to_e164
from consentline.service import messaging
from consentline.service.access import Principal, Privilege
from consentline.service.settings import policy_settings
from consentline.service.unit_of_work import UnitOfWork
from consentline.store import conversations as store


def set_language(
    uow: UnitOfWork,
    principal: Principal,
    *,
    line: messaging.LineRef,
    contact: str,
    channel: Channel,
    language: str,
    now: datetime,
    default_region: str = "US",
) -> dict[str, Any]:
    """Auto messages to this contact on this line and channel go out in ``language`` until
    the contact uses a keyword of another language."""
    principal.require(Privilege.MESSAGING)
    found = messaging.find_line(uow.connection, principal, line, default_region)
    enabled = policy_settings(uow, found.root_id).languages
    if language not in enabled:
        raise InvalidInput(
            f"language must be one of the organization's languages: {', '.join(enabled)}.",
            code="invalid_language",
        )
    number = to_e164(contact, default_region)
    conversation = store.lock_conversation(
        uow.connection, found.root_id, found.id, number, channel.value, now
    )
    store.set_language(uow.connection, conversation.id, language)
    uow.commit()
    return messaging.conversation_view(
        uow,
        principal,
        line=found.id,
        contact=number,
        channel=channel,
        default_region=default_region,
    )
