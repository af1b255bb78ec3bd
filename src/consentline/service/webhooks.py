"""Carrier webhooks after their transport: check the signature, then receive or record.

Nothing is stored unless the request is signed by the organization the line belongs to:
an unknown line, a missing or wrong signature all raise ``WebhookRefused`` (403).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from twilio.request_validator import RequestValidator  # type: ignore[import-untyped]

from consentline.domain.errors import DomainError, Forbidden
from consentline.domain.messages import Channel
from consentline.domain.phone import mask, to_e164
from consentline.providers.twilio import OPTED_OUT as TWILIO_OPTED_OUT
from consentline.providers.whatsapp import STOPPED_MARKETING
from consentline.service import carriers
from consentline.service.carrier_optout import mirror_opt_out
from consentline.service.messaging import receive_inbound
from consentline.service.unit_of_work import UnitOfWork
from consentline.store import outbox as outbox_store

log = logging.getLogger(__name__)
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


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


def _twilio_line(engine: Engine, number: str, region: str) -> carriers.CarrierLine:
    try:
        e164 = to_e164(number, region)
    except DomainError:
        raise WebhookRefused("This webhook is not for a line of ConsentLine.") from None
    with UnitOfWork(engine) as uow:
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


def twilio_inbound(
    engine: Engine, url: str, form: Form, signature: str, now: datetime, region: str
) -> str:
    """An SMS Twilio received for a line; answers empty TwiML (replies go via the API)."""
    found = _twilio_line(engine, form.get("To"), region)
    _check_twilio(found, url, form, signature)
    body = form.get("Body")
    media = int(form.get("NumMedia", "0") or 0)
    if not body.strip() and media:
        body = f"[{media} media attachment{'s' if media > 1 else ''}]"
    with UnitOfWork(engine) as uow:
        receive_inbound(
            uow,
            carriers.webhook_principal(found.line.root_id, "twilio"),
            line=found.line.number,
            sender=form.get("From"),
            body=body,
            channel=Channel.SMS,
            now=now,
            provider_message_id=form.get("MessageSid") or None,
            default_region=region,
            carrier_opted_out=form.get("OptOutType").upper() == "STOP",
        )
    return EMPTY_TWIML


def twilio_status(
    engine: Engine,
    url: str,
    form: Form,
    signature: str,
    outbox_id: int | None,
    now: datetime,
    region: str,
) -> None:
    """Twilio's delivery report for a message we sent (``From`` is our line)."""
    found = _twilio_line(engine, form.get("From"), region)
    _check_twilio(found, url, form, signature)
    error = form.get("ErrorCode") or None
    with UnitOfWork(engine) as uow:
        item = outbox_store.record_delivery(
            uow.connection,
            "twilio",
            form.get("MessageSid"),
            form.get("MessageStatus") or form.get("SmsStatus"),
            error,
            now,
            outbox_id=outbox_id,
            root_id=found.line.root_id,
        )
        conversation = outbox_store.conversation_of(uow.connection, item) if item else None
        uow.commit()
    if conversation is not None and error == str(TWILIO_OPTED_OUT):
        mirror_opt_out(engine, conversation, str(TWILIO_OPTED_OUT), now)


# --- WhatsApp Cloud API ---------------------------------------------------------------------


def whatsapp_handshake(engine: Engine, params: Mapping[str, str]) -> str:
    """Meta's subscription check: echo ``hub.challenge`` for a known verify token."""
    token = params.get("hub.verify_token", "")
    with UnitOfWork(engine) as uow:
        known = bool(token) and carriers.whatsapp_verify_token_known(uow.connection, token)
    if params.get("hub.mode") != "subscribe" or not known:
        raise WebhookRefused("Unknown verify token.")
    return params.get("hub.challenge", "")


def whatsapp_signature_ok(app_secret: str, raw: bytes, header: str) -> bool:
    expected = "sha256=" + hmac.new(app_secret.encode(), raw, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), header.encode())


def _changes(payload: Any) -> list[dict[str, Any]]:
    if not isinstance(payload, dict) or payload.get("object") != "whatsapp_business_account":
        raise WebhookRefused("Not a WhatsApp Business Account notification.")
    values = []
    for entry in payload.get("entry") or []:
        for change in entry.get("changes") or []:
            if change.get("field") == "messages" and isinstance(change.get("value"), dict):
                values.append(change["value"])
    return values


def _text_of(message: dict[str, Any]) -> str:
    kind = str(message.get("type", ""))
    if kind == "text":
        return str((message.get("text") or {}).get("body", ""))
    if kind == "button":
        return str((message.get("button") or {}).get("text", ""))
    if kind == "interactive":
        reply = message.get("interactive") or {}
        chosen = reply.get("button_reply") or reply.get("list_reply") or {}
        return str(chosen.get("title", ""))
    media = message.get(kind)
    caption = media.get("caption") if isinstance(media, dict) else ""
    return str(caption or f"[{kind or 'unsupported'} message]")


def whatsapp_notification(
    engine: Engine, raw: bytes, signature: str, now: datetime, region: str
) -> None:
    """Messages and delivery statuses, after the signature of every part is checked."""
    try:
        payload = json.loads(raw)
    except ValueError:
        raise WebhookRefused("The body is not a signed WhatsApp notification.") from None
    values = _changes(payload)
    lines: list[carriers.CarrierLine] = []
    with UnitOfWork(engine) as uow:
        for value in values:
            phone_number_id = str((value.get("metadata") or {}).get("phone_number_id", ""))
            found = carriers.whatsapp_line(uow.connection, phone_number_id)
            if found is None:
                raise WebhookRefused("No line is configured for this WhatsApp number.")
            lines.append(found)
    for found in lines:
        account = found.settings.whatsapp
        assert account is not None
        if not signature or not whatsapp_signature_ok(account.app_secret, raw, signature):
            log.warning("refused a WhatsApp webhook with a wrong signature")
            raise WebhookRefused("The X-Hub-Signature-256 header is missing or wrong.")
    for value, found in zip(values, lines, strict=True):
        _whatsapp_messages(engine, found, value, now, region)
        _whatsapp_statuses(engine, found, value, now)


def _whatsapp_messages(
    engine: Engine, found: carriers.CarrierLine, value: dict[str, Any], now: datetime, region: str
) -> None:
    for message in value.get("messages") or []:
        sender = "+" + str(message.get("from", "")).lstrip("+")
        with UnitOfWork(engine) as uow:
            receive_inbound(
                uow,
                carriers.webhook_principal(found.line.root_id, "whatsapp"),
                line=found.line.number,
                sender=sender,
                body=_text_of(message),
                channel=Channel.WHATSAPP,
                now=now,
                provider_message_id=str(message["id"]) if message.get("id") else None,
                default_region=region,
            )


def _whatsapp_statuses(
    engine: Engine, found: carriers.CarrierLine, value: dict[str, Any], now: datetime
) -> None:
    for status in value.get("statuses") or []:
        errors = status.get("errors") or [{}]
        code = errors[0].get("code")
        with UnitOfWork(engine) as uow:
            item = outbox_store.record_delivery(
                uow.connection,
                "whatsapp",
                str(status.get("id", "")),
                str(status.get("status", "")),
                str(code) if code else None,
                now,
                root_id=found.line.root_id,
            )
            conversation = outbox_store.conversation_of(uow.connection, item) if item else None
            uow.commit()
        if conversation is not None and code == STOPPED_MARKETING:
            log.info("WhatsApp reports %s stopped marketing messages", mask(found.line.number))
            mirror_opt_out(engine, conversation, str(STOPPED_MARKETING), now)
