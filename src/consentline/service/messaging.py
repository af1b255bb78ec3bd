"""Receiving and sending messages: load and lock the conversation, decide, store, enqueue.

Every message of a conversation goes through ``policy.decide`` inside one transaction that
holds the conversation's lock, so two events at the same moment are applied one after the
other and the second sees what the first decided.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from consentline.domain.consent import ConsentRecord, Kind, Party, State, Status
from consentline.domain.errors import Conflict, GroupRefused, InvalidInput, LineRetired
from consentline.domain.messages import Channel, check_body
from consentline.domain.phone import contact_id, to_e164
from consentline.domain.policy import Decision, Message, Names, decide
from consentline.domain.settings import PolicySettings
from consentline.domain.timefmt import iso_z
from consentline.service.access import MAX_ID, Principal, Privilege, visible_line
from consentline.service.consent_scope import blocked_by_view, scope_block
from consentline.service.settings import policy_settings, policy_settings_from
from consentline.service.unit_of_work import UnitOfWork
from consentline.store import conversations as store, orgs as org_store, outbox as outbox_store
from consentline.store.archive import ArchiveBatch, ArchiveChain
from consentline.store.conversations import ConversationRow, NewMessage, Provenance
from consentline.store.orgs import LineRow, LineWithPolicy

MAX_GROUP_SIZE = 50
LineRef = int | str
Rule = Callable[..., Decision]


@dataclass(frozen=True)
class MessageResult:
    id: int | str
    status: str
    consent: dict[str, Any] | None = None
    reason: str | None = None
    recipients: list[dict[str, Any]] | None = None
    replayed: bool = False

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"id": self.id, "status": self.status}
        if self.reason is not None:
            body["reason"] = self.reason
        if self.recipients is not None:
            body["recipients"] = self.recipients
        if self.consent is not None:
            body["consent"] = self.consent
        return body


@dataclass
class _Context:
    """What every message of one request shares: the line, its organization's policy."""

    line: LineRow
    settings: PolicySettings
    names: Names
    channel: Channel
    now: datetime
    results: list[MessageResult] = field(default_factory=list)


def consent_view(record: ConsentRecord, evidence_message_id: int | None) -> dict[str, Any]:
    return {
        "state": record.state.value,
        "mode": record.mode.value if record.mode else None,
        "initiated_by": record.initiated_by.value if record.initiated_by else None,
        "requested_at": iso_z(record.requested_at),
        "decided_at": iso_z(record.decided_at),
        "evidence_message_id": evidence_message_id,
        "request_text": record.request_text,
    }


def receive_inbound(
    uow: UnitOfWork,
    principal: Principal,
    *,
    line: LineRef,
    sender: str,
    body: str,
    channel: Channel,
    now: datetime,
    provider_message_id: str | None = None,
    default_region: str = "US",
    rule: Rule = decide,
    from_carrier: bool = False,
) -> MessageResult:
    """A contact's message arriving for an employee's line.

    ``rule``: the policy rule that decides it; a carrier that already handled a keyword
    (``carrier_policy``) is not answered twice. ``from_carrier``: a signed notification,
    which the API's rules for bodies never refuse (SPEC §7)."""
    principal.require(Privilege.MESSAGING)
    if not from_carrier:
        check_body(body, channel)
    contact = contact_id(sender, default_region, whatsapp=channel is Channel.WHATSAPP)
    context = _context(uow, principal, line, channel, now, default_region)
    conversation = _lock(uow.connection, context, contact)
    if provider_message_id:
        first = store.find_receipt(
            uow.connection, context.line.root_id, channel.value, provider_message_id
        )
        if first is not None:
            return MessageResult(
                id=first["id"],
                status=first["status"],
                reason=first.get("reason"),
                consent=first["consent"],
                replayed=True,
            )
    result = _handle(
        uow.connection,
        context,
        conversation,
        Message(Party.CONTACT, body, now),
        provider_message_id=provider_message_id,
        rule=rule,
    )
    if provider_message_id:
        store.save_receipt(
            uow.connection,
            context.line.root_id,
            channel.value,
            provider_message_id,
            result.as_json(),
            now,
        )
    uow.commit()
    return result


def send_outbound(
    uow: UnitOfWork,
    principal: Principal,
    *,
    line: LineRef,
    to: str | list[str],
    body: str,
    channel: Channel,
    now: datetime,
    default_region: str = "US",
) -> MessageResult:
    """An employee's message to one contact, or to a group when ``to`` is a list."""
    principal.require(Privilege.MESSAGING)
    check_body(body, channel)
    if isinstance(to, list):
        contacts = _group_members(to, default_region)
        context = _context(uow, principal, line, channel, now, default_region)
        result = _send_group(uow.connection, context, contacts, body)
    else:
        contact = contact_id(to, default_region, whatsapp=channel is Channel.WHATSAPP)
        context = _context(uow, principal, line, channel, now, default_region)
        conversation = _lock(uow.connection, context, contact)
        result = _handle(uow.connection, context, conversation, Message(Party.EMPLOYEE, body, now))
    uow.commit()
    return result


def conversation_view(
    uow: UnitOfWork,
    principal: Principal,
    *,
    line: LineRef,
    contact: str,
    channel: Channel,
    default_region: str = "US",
) -> dict[str, Any]:
    principal.require(Privilege.MESSAGING, Privilege.REPORTS)
    found_line = find_line(uow.connection, principal, line, default_region)
    number = contact_id(contact, default_region, whatsapp=channel is Channel.WHATSAPP)
    conversation = store.find_conversation(uow.connection, found_line.id, number, channel.value)
    record = conversation.record if conversation else ConsentRecord()
    evidence = conversation.evidence_message_id if conversation else None
    history = store.message_history(uow.connection, conversation.id) if conversation else []
    for message in history:
        message["created_at"] = iso_z(message["created_at"])
    consent = consent_view(record, evidence)
    if conversation is not None:
        settings = policy_settings(uow, found_line.root_id)
        block = scope_block(uow.connection, settings, conversation)
        if block is not None:
            consent["blocked_by"] = blocked_by_view(block)
    return {
        "line": found_line.number,
        "contact": number,
        "channel": channel.value,
        "language": conversation.language if conversation else None,
        "consent": consent,
        "messages": history,
    }


def line_ref(text: str) -> LineRef:
    """A line named in text: a short run of digits is its id, anything else its number."""
    stripped = text.strip()
    return int(stripped) if stripped.isdigit() and len(stripped) <= 6 else stripped


def find_line(conn: Connection, principal: Principal, ref: LineRef, region: str) -> LineRow:
    """A line the caller may see, by id or number."""
    return _find_line_with_policy(conn, principal, ref, region).line


def _find_line_with_policy(
    conn: Connection, principal: Principal, ref: LineRef, region: str
) -> LineWithPolicy:
    """A line the caller may see, with its company's name and settings, in one query."""
    if isinstance(ref, int):
        label = str(ref)
        found = org_store.line_with_policy(conn, ref) if 0 < ref <= MAX_ID else None
    else:
        label = to_e164(ref, region)
        found = org_store.line_with_policy(conn, label)
    visible_line(conn, principal, found.line if found else None, label)
    assert found is not None
    return found


# --- internals -----------------------------------------------------------------------------


def _context(
    uow: UnitOfWork,
    principal: Principal,
    ref: LineRef,
    channel: Channel,
    now: datetime,
    region: str,
) -> _Context:
    found = _find_line_with_policy(uow.connection, principal, ref, region)
    line = found.line
    if line.retired_at is not None:
        raise LineRetired(
            f"The line {line.number} ({line.employee_name}) was retired: it takes no new "
            "messages. Its archive is kept."
        )
    names = Names(line.employee_name, found.company_name, line.number)
    settings = policy_settings_from(found.settings_document)
    return _Context(line, settings, names, channel, now)


def _lock(conn: Connection, context: _Context, contact: str) -> ConversationRow:
    if contact == context.line.number:
        raise InvalidInput("A line cannot text itself.", code="invalid_phone_number")
    return store.lock_conversation(
        conn, context.line.root_id, context.line.id, contact, context.channel.value, context.now
    )


def _group_members(to: list[str], region: str) -> list[str]:
    if not to:
        raise InvalidInput("A group send needs at least one recipient.", code="empty_group")
    members = sorted({to_e164(number, region) for number in to})
    if len(members) > MAX_GROUP_SIZE:
        raise InvalidInput(
            f"A group send reaches at most {MAX_GROUP_SIZE} contacts.", code="group_too_large"
        )
    return members


def _send_group(
    conn: Connection, context: _Context, contacts: list[str], body: str
) -> MessageResult:
    if not context.settings.group_messaging:
        raise GroupRefused(
            "Group messaging is not enabled for this organization.", code="group_messaging_off"
        )
    if context.settings.consent_on:
        raise GroupRefused("Group messaging cannot be used while SMS Opt-in with Consent is on.")
    # Locked in sorted order, so two group sends over the same members cannot deadlock.
    conversations = [_lock(conn, context, contact) for contact in contacts]
    mode = context.settings.active_mode
    opted_out = [
        c.contact
        for c in conversations
        if c.record.effective_state(mode) is State.OPTED_OUT
        or scope_block(conn, context.settings, c) is not None
    ]
    if opted_out:
        raise Conflict(
            "These members have opted out and cannot receive messages: "
            + ", ".join(opted_out)
            + ". Remove them from the group and send again.",
            code="group_member_opted_out",
        )
    group_id = f"grp_{uuid.uuid4().hex}"
    results = [
        _handle(conn, context, c, Message(Party.EMPLOYEE, body, context.now), group_id=group_id)
        for c in conversations
    ]
    statuses = {r.status for r in results}
    return MessageResult(
        id=group_id,
        status=statuses.pop() if len(statuses) == 1 else "mixed",
        recipients=[
            {"contact": c.contact, "status": r.status, "message_id": r.id, "consent": r.consent}
            for c, r in zip(conversations, results, strict=True)
        ],
    )


def _handle(
    conn: Connection,
    context: _Context,
    conversation: ConversationRow,
    message: Message,
    *,
    provider_message_id: str | None = None,
    group_id: str | None = None,
    rule: Rule = decide,
) -> MessageResult:
    if rule is decide:
        blocked_by = None
        if message.sender is Party.EMPLOYEE:
            blocked_by = scope_block(conn, context.settings, conversation)
        decision = decide(
            conversation.record,
            context.settings,
            message,
            conversation.held,
            context.names,
            language=conversation.language,
            blocked_by=blocked_by,
        )
    else:
        decision = rule(
            conversation.record, context.settings, message, conversation.held, context.names
        )
    trigger = NewMessage(
        sender=message.sender.value,
        recipient=_other_side(message.sender).value,
        kind=Kind.USER.value,
        template=None,
        body=message.body,
        provider_message_id=provider_message_id,
        group_id=group_id,
    )
    trigger_id, evidence = apply_decision(conn, conversation, decision, trigger, context.now)
    assert trigger_id is not None
    consent = consent_view(decision.record, evidence)
    if decision.blocked_by is not None:
        consent["blocked_by"] = blocked_by_view(decision.blocked_by)
    return MessageResult(
        id=trigger_id,
        status=decision.status.value,
        reason=decision.reason,
        consent=consent,
    )


def _other_side(sender: Party) -> Party:
    return Party.EMPLOYEE if sender is Party.CONTACT else Party.CONTACT


def apply_decision(
    conn: Connection,
    conversation: ConversationRow,
    decision: Decision,
    trigger: NewMessage | None,
    now: datetime,
    provenance: Provenance | None = None,
    batch: ArchiveBatch | None = None,
) -> tuple[int | None, int | None]:
    """Store a decision: archive, status events, holds, outbox and the consent record; the
    one place that writes a consent change (messages, staff records, imports). ``trigger``
    is the message that made it; without one, ``provenance`` says where it came from.
    ``batch`` defers the archive writes of many conversations to one flush (imports)."""
    if batch is not None and (trigger is not None or decision.auto_messages):
        raise ValueError("a batch defers inserts that a message's outbox row would need")
    chain = conversation.archive_chain(batch)
    before, after = conversation.record.state.value, decision.record.state.value

    for message_id in decision.expire:
        store.append_status(conn, chain, message_id, Status.EXPIRED, "hold_max_age", before, now)
    store.release_holds(conn, list(decision.expire))

    for auto in decision.auto_before:
        store_auto(conn, conversation, chain, auto.template, auto.recipient, auto.body, after, now)
    trigger_id = None
    if trigger is not None:
        trigger_id = store.insert_message(conn, conversation, chain, trigger, now)
        store.append_status(conn, chain, trigger_id, decision.status, decision.reason, after, now)
        if decision.status is Status.HELD:
            store.hold(conn, conversation, trigger_id, trigger.recipient, now)
        elif decision.status is Status.DELIVERED:
            outbox_store.enqueue(conn, trigger_id, trigger.recipient, now)
    for auto in decision.auto_after:
        store_auto(conn, conversation, chain, auto.template, auto.recipient, auto.body, after, now)

    recipients = store.hold_recipients(conn, list(decision.release))
    for message_id in decision.release:
        store.append_status(conn, chain, message_id, Status.DELIVERED, None, after, now)
        outbox_store.enqueue(conn, message_id, recipients[message_id], now)
    for message_id in decision.discard:
        store.append_status(conn, chain, message_id, Status.DISCARDED, "opted_out", after, now)
    store.release_holds(conn, [*decision.release, *decision.discard])

    if decision.decides:
        evidence: int | None = trigger_id
    elif decision.record.decided_at is None or provenance is not None:
        evidence = None  # a recorded decision's evidence is in its consent event
    else:
        evidence = conversation.evidence_message_id
    changed: dict[str, Any] = {}
    if decision.record != conversation.record or evidence != conversation.evidence_message_id:
        changed = store.save_record(
            conn, conversation, chain, decision.record, evidence, trigger_id, now, provenance
        )
    if decision.language != conversation.language:
        changed["language"] = decision.language
    chain.close(conn, **changed)
    return trigger_id, evidence


def store_auto(
    conn: Connection,
    conversation: ConversationRow,
    chain: ArchiveChain,
    template: str,
    recipient: Party,
    body: str,
    state: str,
    now: datetime,
    provider_message_id: str | None = None,
) -> int:
    """An auto message, archived and queued; also a carrier's notice (``provider_message_id``
    is then the carrier's id of it)."""
    message = NewMessage(
        Party.SYSTEM.value, recipient.value, Kind.AUTO.value, template, body, provider_message_id
    )
    message_id = store.insert_message(conn, conversation, chain, message, now)
    store.append_status(conn, chain, message_id, Status.DELIVERED, None, state, now)
    outbox_store.enqueue(conn, message_id, recipient.value, now)
    if template.endswith("optout_confirmation"):
        # The FCC presumes a confirmation lawful within 5 minutes: ahead of ordinary traffic.
        outbox_store.prioritize_conversation(
            conn, conversation.id, outbox_store.PRIORITY_OPT_OUT_CONFIRMATION
        )
    return message_id
