"""Writing a decision down: the one place that turns what ``policy`` decided into stored
facts, whatever made the decision (a contact's or an employee's message, a carrier's
opt-out, the expiry sweep, a staff record, an import, a carrier's notice).

A decision carries every consequence: the status of the message that made it, the held
messages it releases, discards or expires, the auto messages it sends, the consent change.
``record_decision`` writes them, in one order, into the archive chain, the holds and the
outbox of the locked conversation, and returns what the caller reports back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from consentline.domain.consent import Kind, Party, Status
from consentline.domain.policy import EXPIRED_REASON, OPTED_OUT_REASON, AutoMessage, Decision
from consentline.store import conversations as store, outbox as outbox_store
from consentline.store.archive import ArchiveBatch, ArchiveChain
from consentline.store.conversations import ConversationRow, NewMessage, Provenance

OPT_OUT_CONFIRMATION = "optout_confirmation"


@dataclass(frozen=True)
class Recorded:
    """What was written: the id of the message the decision was about (None when no
    message made it) and the consent evidence the conversation now points to."""

    message_id: int | None
    evidence_message_id: int | None


@dataclass
class _Event:
    """One decision being written to one locked conversation."""

    conn: Connection
    conversation: ConversationRow
    chain: ArchiveChain
    now: datetime
    queued: list[tuple[int, str]] = field(default_factory=list)
    urgent: int = 0
    """How many of the queued items go ahead of ordinary traffic."""

    def status(self, message_id: int, status: Status, reason: str | None, state: str) -> None:
        store.append_status(self.chain, message_id, status, reason, state, self.now)

    def send(self, message_id: int, recipient: str) -> None:
        self.queued.append((message_id, recipient))

    def auto(self, auto: AutoMessage, state: str) -> None:
        message = NewMessage(
            Party.SYSTEM.value, auto.recipient.value, Kind.AUTO.value, auto.template, auto.body
        )
        message_id = store.insert_message(
            self.conn, self.conversation, self.chain, message, self.now
        )
        self.status(message_id, Status.DELIVERED, None, state)
        self.send(message_id, auto.recipient.value)
        if auto.template.endswith(OPT_OUT_CONFIRMATION):
            # The FCC presumes a confirmation lawful within 5 minutes: it goes ahead of
            # ordinary traffic, with what the conversation queued before it.
            self.urgent = len(self.queued)

    def flush_outbox(self) -> None:
        urgent = outbox_store.PRIORITY_OPT_OUT_CONFIRMATION
        if self.urgent:
            outbox_store.prioritize_conversation(self.conn, self.conversation.id, urgent)
        outbox_store.enqueue_many(
            self.conn,
            [
                (mid, to, urgent if n < self.urgent else outbox_store.PRIORITY_ORDINARY)
                for n, (mid, to) in enumerate(self.queued)
            ],
            self.now,
        )


def record_decision(
    conn: Connection,
    conversation: ConversationRow,
    decision: Decision,
    message: NewMessage | None,
    now: datetime,
    provenance: Provenance | None = None,
    batch: ArchiveBatch | None = None,
) -> Recorded:
    """Store a decision about ``conversation`` (locked by the caller).

    ``message``: the message the decision is about (stored with ``decision.status``);
    without one, ``provenance`` says where the decision came from (a staff record, an
    import) or nothing does (a carrier's report, the expiry sweep). ``batch`` defers the
    archive writes of many conversations to one flush (imports)."""
    if batch is not None and (message is not None or decision.auto_messages):
        raise ValueError("a batch defers inserts that a message's outbox row would need")
    event = _Event(conn, conversation, conversation.archive_chain(batch), now)
    before, after = conversation.record.state.value, decision.record.state.value

    for expired in decision.expire:
        event.status(expired, Status.EXPIRED, EXPIRED_REASON, before)
    for auto in decision.auto_before:
        event.auto(auto, after)
    message_id: int | None = None
    if message is not None:
        message_id = store.insert_message(conn, conversation, event.chain, message, now)
        event.status(message_id, decision.status, decision.reason, after)
        if decision.status is Status.HELD:
            store.hold(conn, conversation, message_id, message.recipient, now)
        elif decision.status is Status.DELIVERED:
            event.send(message_id, message.recipient)
    for auto in decision.auto_after:
        event.auto(auto, after)
    for released in decision.release:
        event.status(released, Status.DELIVERED, None, after)
        event.send(released, conversation.hold_recipients[released])
    for discarded in decision.discard:
        event.status(discarded, Status.DISCARDED, OPTED_OUT_REASON, after)
    store.release_holds(conn, [*decision.expire, *decision.release, *decision.discard])
    event.flush_outbox()

    evidence = _evidence(conversation, decision, message_id, provenance)
    changed: dict[str, Any] = {}
    if decision.record != conversation.record or evidence != conversation.evidence_message_id:
        changed = store.save_record(
            conversation, event.chain, decision.record, evidence, message_id, now, provenance
        )
    if decision.language != conversation.language:
        changed["language"] = decision.language
    event.chain.close(conn, **changed)
    return Recorded(message_id, evidence)


def _evidence(
    conversation: ConversationRow,
    decision: Decision,
    message_id: int | None,
    provenance: Provenance | None,
) -> int | None:
    if decision.decides:
        return message_id  # the contact's message is the proof; a carrier's report has none
    if decision.record.decided_at is None or provenance is not None:
        return None  # a recorded decision's evidence is in its consent event
    return conversation.evidence_message_id
