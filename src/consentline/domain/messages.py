"""Rules for a message body and its channel (SPEC §6)."""

from __future__ import annotations

from enum import StrEnum

from consentline.domain.errors import InvalidMessage


class Channel(StrEnum):
    SMS = "sms"
    WHATSAPP = "whatsapp"


MAX_BODY_LENGTH = {Channel.SMS: 1600, Channel.WHATSAPP: 4096}


def check_body(body: str, channel: Channel) -> None:
    if not body.strip():
        raise InvalidMessage("The message body is empty.", code="empty_body")
    limit = MAX_BODY_LENGTH[channel]
    if len(body) > limit:
        raise InvalidMessage(
            f"The message body is {len(body)} characters; {channel.value} allows at most {limit}.",
            code="body_too_long",
        )
