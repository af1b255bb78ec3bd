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
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from consentline.domain.consent import ConsentRecord, Kind, Party, State
from consentline.domain.errors import Conflict, GroupRefused, InvalidInput, LineRetired
from consentline.domain.messages import Channel, check_body
from consentline.domain.phone import contact_id, to_e164
from consentline.domain.policy import Decision, Message, Names, decide
from consentline.domain.settings import PolicySettings
from consentline.domain.timefmt import iso_z
from consentline.service.access import MAX_ID, Principal, Privilege, visible_line
from consentline.service.consent_scope import blocked_by_view, scope_block
from consentline.service.record_decision import record_decision
from consentline.service.settings import policy_settings, policy_settings_from
from consentline.service.unit_of_work import UnitOfWork
from consentline.store import conversations as store, orgs as org_store
from consentline.store.conversations import ConversationRow, NewMessage
from consentline.store.orgs import LineRow, LineWithPolicy

MAX_GROUP_SIZE = 50
P = ParamSpec("P")
R = TypeVar("R")
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


def receive(
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
    found_line: LineWithPolicy | None = None,
) -> MessageResult:
    """A contact's message arriving for an employee's line, in the caller's unit of work
    (which commits it, with anything else the caller keeps, such as the carrier's part).

    ``rule``: the policy rule that decides it; a carrier that already handled a keyword
    (``carrier_policy``) is not answered twice. ``from_carrier``: a signed notification,
    which the API's rules for bodies never refuse (SPEC §7). ``found_line``: the line, when
    the caller already read it in this unit of work (a webhook, to check its signature).

    A message with a carrier id is received once: a retry answers what the first answered.
    The retry is found by the message's unique carrier id when it is stored, so the common
    case (a new message) reads nothing to look for it."""
    principal.require(Privilege.MESSAGING)
    if not from_carrier:
        check_body(body, channel)
    contact = contact_id(sender, default_region, whatsapp=channel is Channel.WHATSAPP)
    context = _context(uow, principal, line, channel, now, default_region, found_line)
    try:
        conversation = _lock(uow.connection, context, contact)
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
    except IntegrityError:
        if not provider_message_id:
            raise
        uow.rollback()
        first = store.find_receipt(
            uow.connection, context.line.root_id, channel.value, provider_message_id
        )
        if first is None:
            raise
        return MessageResult(
            id=first["id"],
            status=first["status"],
            reason=first.get("reason"),
            consent=first["consent"],
            replayed=True,
        )
    return result


def _committed(
    step: Callable[Concatenate[UnitOfWork, P], R],
) -> Callable[Concatenate[UnitOfWork, P], R]:
    """A step of a use case as a use case of its own: the same arguments, then commit."""

    def use_case(uow: UnitOfWork, /, *args: P.args, **kwargs: P.kwargs) -> R:
        result = step(uow, *args, **kwargs)
        uow.commit()
        return result

    return use_case


receive_inbound = _committed(receive)
"""A contact's message arriving for an employee's line, received and committed."""


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
    found: LineWithPolicy | None = None,
) -> _Context:
    if found is None:
        found = _find_line_with_policy(uow.connection, principal, ref, region)
    else:
        visible_line(uow.connection, principal, found.line, found.line.number)
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
    recorded = record_decision(conn, conversation, decision, trigger, context.now)
    assert recorded.message_id is not None
    consent = consent_view(decision.record, recorded.evidence_message_id)
    if decision.blocked_by is not None:
        consent["blocked_by"] = blocked_by_view(decision.blocked_by)
    return MessageResult(
        id=recorded.message_id,
        status=decision.status.value,
        reason=decision.reason,
        consent=consent,
    )


def _other_side(sender: Party) -> Party:
    return Party.EMPLOYEE if sender is Party.CONTACT else Party.CONTACT
