"""Carrier webhooks after their transport: check the signature, then receive or record.

Nothing is stored unless the request is signed by the organization the line belongs to:
an unknown line, a missing or wrong signature all raise ``WebhookRefused`` (403). A signed
notification is never refused for what it contains (SPEC §7): every part of it is kept as
received (``carrier_parts``), and a part that cannot become a message of a conversation (a
sender that is no phone number, say) is kept there and logged, never answered 4xx.

One notification is one transaction: the line and its carrier account are read in it, the
signature checked, the message received and its part kept, then all is committed together.

This module holds Twilio's webhooks; ``whatsapp_webhook`` holds the Cloud API's.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from twilio.request_validator import RequestValidator  # type: ignore[import-untyped]

from consentline.domain import delivery
from consentline.domain.carrier_codes import TWILIO_OPTED_OUT
from consentline.domain.carrier_policy import carrier_help, carrier_opt_in, carrier_opt_out
from consentline.domain.errors import DomainError, Forbidden
from consentline.domain.messages import Channel
from consentline.domain.phone import clean_text, contact_id, mask, to_e164
from consentline.domain.policy import decide
from consentline.domain.whatsapp_inbound import raw_json
from consentline.service import carriers
from consentline.service.carrier_optout import mirror_opt_out
from consentline.service.messaging import Rule, receive
from consentline.service.unit_of_work import UnitOfWork
from consentline.store import carrier_parts, outbox as outbox_store
from consentline.store.carrier_parts import PartRecord

log = logging.getLogger(__name__)
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
# Twilio prefixes addresses of other channels; RCS shares SMS opt-outs (since March 2026),
# so it is the SMS conversation.
ADDRESS_PREFIXES = {"whatsapp:": Channel.WHATSAPP, "rcs:": Channel.SMS, "sms:": Channel.SMS}


class WebhookRefused(Forbidden):
    code = "webhook_refused"


@dataclass(frozen=True)
class Form:
    """A form body as Twilio's validator reads it (``getlist``, like Django's QueryDict)."""

    pairs: Sequence[tuple[str, str]]

    def __iter__(self) -> Any:
        return iter({name for name, _ in self.pairs})

    def getlist(self, name: str) -> list[str]:
        return [value for key, value in self.pairs if key == name]

    def get(self, name: str, default: str = "") -> str:
        values = self.getlist(name)
        return values[0] if values else default


def part_key(payload: str) -> str:
    return hashlib.sha256(payload.encode()).hexdigest()


def address(raw: str) -> tuple[str, Channel]:
    """A Twilio address without its channel prefix (``whatsapp:+1555…``), and its channel."""
    for prefix, channel in ADDRESS_PREFIXES.items():
        if raw.lower().startswith(prefix):
            return raw[len(prefix) :], channel
    return raw, Channel.SMS


def _twilio_line(uow: UnitOfWork, number: str, region: str) -> carriers.CarrierLine:
    try:
        e164 = to_e164(number, region)
    except DomainError:
        raise WebhookRefused("This webhook is not for a line of ConsentLine.") from None
    found = carriers.twilio_line(uow.connection, e164)
    if found is None:
        raise WebhookRefused("No line is configured for Twilio at this number.")
    return found


def _check_twilio(found: carriers.CarrierLine, url: str, form: Form, signature: str) -> None:
    account = found.settings.twilio
    assert account is not None
    valid = bool(signature) and RequestValidator(account.auth_token).validate(url, form, signature)
    if not valid or form.get("AccountSid") != account.account_sid:
        log.warning("refused a Twilio webhook with a wrong signature")
        raise WebhookRefused("The X-Twilio-Signature header is missing or wrong.")


def _twilio_rule(opt_out_type: str) -> Rule:
    """Twilio's own keyword handling (``OptOutType``): it has answered the contact."""
    kind = opt_out_type.strip().upper()
    if kind == "STOP":
        return partial(carrier_opt_out, source="twilio:STOP")
    if kind == "START":
        return carrier_opt_in
    if kind == "HELP":
        return carrier_help
    return decide


def _inbound_body(form: Form) -> str:
    body = clean_text(form.get("Body"))
    if body.strip():
        return body
    media = int(form.get("NumMedia", "0") or 0) if form.get("NumMedia", "0").isdigit() else 0
    if media:
        kinds = sorted({form.get(f"MediaContentType{i}") or "file" for i in range(media)})
        return clean_text(
            f"[{media} media attachment{'s' if media > 1 else ''}: {', '.join(kinds)}]"
        )
    return "[An empty message]"


def twilio_inbound(
    uow: UnitOfWork, url: str, form: Form, signature: str, now: datetime, region: str
) -> str:
    """An SMS, MMS or RCS message Twilio received for a line; answers empty TwiML."""
    line_number, channel = address(form.get("To"))
    found = _twilio_line(uow, line_number, region)
    _check_twilio(found, url, form, signature)
    payload = raw_json(list(form.pairs))
    sid = _id(form.get("MessageSid") or form.get("SmsMessageSid"))
    sender, _ = address(form.get("From"))
    contact, message_id, outcome = None, None, "kept"
    try:
        contact = contact_id(sender, region, whatsapp=channel is Channel.WHATSAPP)
        result = receive(
            uow,
            carriers.webhook_principal(found.line.root_id, "twilio"),
            line=found.line.number,
            sender=contact,
            body=_inbound_body(form),
            channel=channel,
            now=now,
            provider_message_id=sid,
            default_region=region,
            rule=_twilio_rule(form.get("OptOutType")),
            from_carrier=True,
            found_line=found.policy,
        )
        message_id, outcome = int(result.id), result.status
    except DomainError as error:  # a sender we cannot key: kept as received, not refused
        uow.rollback()
        outcome = f"refused:{error.code}"
        log.warning("kept a Twilio message that is no conversation's: %s", error.code)
    media = form.get("MediaUrl0") or None
    carrier_parts.record_part(
        uow.connection,
        PartRecord(
            root_id=found.line.root_id,
            carrier="twilio",
            part_key=part_key(payload),
            kind="message",
            part_type=(form.get("OptOutType") or ("mms" if media else "sms")).lower(),
            payload=payload,
            outcome=outcome,
            provider_message_id=sid,
            line_id=found.line.id,
            contact=contact,
            sender_id=clean_text(sender),
            message_id=message_id,
            media_id=media,
        ),
        now,
    )
    uow.commit()
    return EMPTY_TWIML


def twilio_status(
    uow: UnitOfWork,
    url: str,
    form: Form,
    signature: str,
    outbox_id: int | None,
    now: datetime,
    region: str,
) -> None:
    """Twilio's delivery report for a message we sent (``From`` is our line)."""
    found = _twilio_line(uow, address(form.get("From"))[0], region)
    _check_twilio(found, url, form, signature)
    error = _id(form.get("ErrorCode"))
    status = clean_text(form.get("MessageStatus") or form.get("SmsStatus"))[:30]
    sid = _id(form.get("MessageSid")) or ""
    item = outbox_store.record_delivery(
        uow.connection,
        "twilio",
        sid,
        delivery.parse(status),
        error,
        now,
        outbox_id=outbox_id,
        root_id=found.line.root_id,
    )
    conversation = outbox_store.conversation_of(uow.connection, item) if item else None
    if conversation is not None and error == str(TWILIO_OPTED_OUT):
        mirror_opt_out(uow, conversation, f"twilio:{TWILIO_OPTED_OUT}", now)
    payload = raw_json(list(form.pairs))
    carrier_parts.record_part(
        uow.connection,
        PartRecord(
            root_id=found.line.root_id,
            carrier="twilio",
            part_key=part_key(payload),
            kind="status",
            part_type=clean_text(status or "unknown"),
            payload=payload,
            outcome="recorded" if item else "unknown_message",
            provider_message_id=sid or None,
            line_id=found.line.id,
            error_code=error,
        ),
        now,
    )
    uow.commit()


def _id(value: str) -> str | None:
    """A carrier's id or code as a column can hold it (no NUL, at most 200 characters)."""
    return clean_text(value.strip())[:200] or None


def log_contact(contact: str | None) -> str:
    return mask(contact) if contact and contact.startswith("+") else "(user id)"
