"""The WhatsApp Cloud API's webhook: the handshake, and signed notifications part by part.

The signature is checked first, against every configured app secret, before the body is
even parsed: a wrong signature is 403 whatever the body holds (an empty ``entry`` list
too). A signed notification is then never refused for what it contains: each message,
status and preference change is handled on its own and kept as received
(``carrier_parts``); one that cannot be read becomes "a message ConsentLine cannot display"
on its conversation and never blocks the others. Only a change for a number no organization
configured is refused (403, nothing stored), as SPEC §7 says.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Mapping
from datetime import datetime

from consentline.domain import delivery
from consentline.domain.carrier_codes import WHATSAPP_STOPPED_MARKETING
from consentline.domain.carriers import CarrierSettings
from consentline.domain.errors import DomainError
from consentline.domain.messages import Channel
from consentline.domain.phone import whatsapp_contact
from consentline.domain.whatsapp_inbound import Change, Part, raw_json, read_notification
from consentline.service import carriers
from consentline.service.carrier_optout import mirror_opt_out, opt_out_contact
from consentline.service.messaging import receive
from consentline.service.notices import record_notice
from consentline.service.unit_of_work import UnitOfWork, UnitsOfWork
from consentline.service.webhooks import WebhookRefused, log_contact
from consentline.store import carrier_parts, outbox as outbox_store
from consentline.store.carrier_parts import PartRecord

log = logging.getLogger(__name__)
MARKETING_STOP = "stop"


def whatsapp_handshake(uow: UnitOfWork, params: Mapping[str, str]) -> str:
    """Meta's subscription check: echo ``hub.challenge`` for a known verify token."""
    token = params.get("hub.verify_token", "")
    known = bool(token) and carriers.whatsapp_verify_token_known(uow.connection, token)
    if params.get("hub.mode") != "subscribe" or not known:
        raise WebhookRefused("Unknown verify token.")
    return params.get("hub.challenge", "")


def whatsapp_signature_ok(app_secret: str, raw: bytes, header: str) -> bool:
    expected = "sha256=" + hmac.new(app_secret.encode(), raw, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), header.encode())


def whatsapp_notification(
    new_unit_of_work: UnitsOfWork, raw: bytes, signature: str, now: datetime, region: str
) -> int:
    """Every part of a signed notification, handled and kept; returns how many parts.

    The accounts and lines are read once, in a snapshot that takes no write lock; each part
    is then one transaction that does what the part says and keeps it."""
    with new_unit_of_work(read_only=True) as uow:
        accounts = carriers.carrier_accounts(uow.connection)
        roots = _signed_by(carriers.whatsapp_accounts(uow.connection, accounts), raw, signature)
        try:
            payload = json.loads(raw)
        except ValueError:  # signed, yet not JSON: kept as received
            payload = raw.decode("utf-8", "replace")
        changes = read_notification(payload)
        lines = _lines(uow, changes, roots, accounts)
    count = 0
    for change, found in zip(changes, lines, strict=True):
        for part in change.parts:
            for root_id in [found.line.root_id] if found else sorted(roots):
                with new_unit_of_work() as uow:
                    _handle(uow, root_id, found, part, now, region)
            count += 1
    return count


def _signed_by(accounts: list[tuple[int, str]], raw: bytes, signature: str) -> set[int]:
    """The organizations whose app secret signed these bytes; none is 403."""
    roots = {
        root_id
        for root_id, app_secret in accounts
        if signature and whatsapp_signature_ok(app_secret, raw, signature)
    }
    if not roots:
        log.warning("refused a WhatsApp webhook with a wrong signature")
        raise WebhookRefused("The X-Hub-Signature-256 header is missing or wrong.")
    return roots


def _lines(
    uow: UnitOfWork,
    changes: list[Change],
    roots: set[int],
    accounts: list[tuple[int, CarrierSettings]],
) -> list[carriers.CarrierLine | None]:
    """The line of each change (None when it names no business number); a number that no
    organization signing this notification configured refuses the whole notification."""
    found: list[carriers.CarrierLine | None] = []
    for change in changes:
        if change.phone_number_id is None:
            found.append(None)
            continue
        line = carriers.whatsapp_line(uow.connection, change.phone_number_id, accounts)
        if line is None or line.line.root_id not in roots:
            raise WebhookRefused("No line is configured for this WhatsApp number.")
        found.append(line)
    return found


def _handle(
    uow: UnitOfWork,
    root_id: int,
    found: carriers.CarrierLine | None,
    part: Part,
    now: datetime,
    region: str,
) -> None:
    """One part: what it says is done and the part is kept, committed together. A part kept
    before (the carrier's retry) commits nothing: it was handled the first time."""
    contact, message_id, outcome = None, None, "kept"
    if found is not None and part.kind == "status":
        outcome = _status(uow, found, part, now)
    elif found is not None and part.kind != "other":
        try:
            contact = whatsapp_contact(part.wa_id, part.user_id, region)
            message_id, outcome = _act(uow, found, part, contact, now, region)
        except DomainError as error:
            uow.rollback()
            outcome = f"refused:{error.code}"
            log.warning(
                "kept a WhatsApp %s that is no conversation's (%s, contact %s)",
                part.kind,
                error.code,
                log_contact(contact),
            )
    new = carrier_parts.record_part(
        uow.connection,
        PartRecord(
            root_id=root_id,
            carrier="whatsapp",
            part_key=part.key,
            kind=part.kind,
            part_type=part.part_type,
            payload=raw_json(part.raw),
            outcome=outcome,
            provider_message_id=part.provider_message_id,
            line_id=found.line.id if found else None,
            contact=contact,
            sender_id=part.wa_id or part.user_id,
            message_id=message_id,
            media_id=part.media_id,
            error_code=part.error_code,
        ),
        now,
    )
    if new:
        uow.commit()


def _act(
    uow: UnitOfWork,
    found: carriers.CarrierLine,
    part: Part,
    contact: str,
    now: datetime,
    region: str,
) -> tuple[int | None, str]:
    """What a message, a notice or a preference does on its contact's conversation."""
    principal = carriers.webhook_principal(found.line.root_id, "whatsapp")
    if part.kind == "preference" and part.part_type == MARKETING_STOP:
        state = opt_out_contact(
            uow,
            root_id=found.line.root_id,
            line_id=found.line.id,
            contact=contact,
            channel=Channel.WHATSAPP.value,
            source="whatsapp:user_preferences:stop",
            now=now,
        )
        return None, state
    if part.kind == "message":
        result = receive(
            uow,
            principal,
            line=found.line.number,
            sender=contact,
            body=part.body,
            channel=Channel.WHATSAPP,
            now=now,
            provider_message_id=part.provider_message_id,
            default_region=region,
            from_carrier=True,
            found_line=found.policy,
        )
        return int(result.id), result.status if part.readable else "cannot_display"
    # a system notice, or a preference that changes nothing (resume): told, not decided
    notice = record_notice(
        uow,
        principal,
        line=found.line.number,
        contact=contact,
        channel=Channel.WHATSAPP,
        body=part.body,
        now=now,
        provider_message_id=part.provider_message_id,
        region=region,
    )
    return notice, "notice"


def _status(uow: UnitOfWork, found: carriers.CarrierLine, part: Part, now: datetime) -> str:
    item = outbox_store.record_delivery(
        uow.connection,
        "whatsapp",
        part.provider_message_id or "",
        delivery.parse(part.part_type),
        part.error_code,
        now,
        root_id=found.line.root_id,
    )
    conversation = outbox_store.conversation_of(uow.connection, item) if item else None
    if conversation is not None and part.error_code == str(WHATSAPP_STOPPED_MARKETING):
        mirror_opt_out(uow, conversation, f"whatsapp:{WHATSAPP_STOPPED_MARKETING}", now)
    return "recorded" if item else "unknown_message"
