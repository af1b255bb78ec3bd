"""Baselines measured in the same run as ConsentLine.

- The store floor: the rows one delivered message writes (the message and its status
  event, each with its place in the archive chain, the outbox item, and the conversation's
  new chain head), written by plain SQL through the bare driver, one transaction per
  message, with no web layer, no policy and no reads.
- The domain: decisions per second of the pure decision function.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine

from consentline.domain.consent import ConsentRecord, Party, State
from consentline.domain.policy import Message, Names, decide
from consentline.domain.settings import Mode, PolicySettings

FLOOR_HASH = "0" * 64  # the floor does not hash: a chain hash's width, not its work


def store_floor(engine: Engine, conversation_id: int, root_id: int, seconds: float) -> float:
    """Messages per second written as plain SQL, one transaction each."""
    raw = engine.raw_connection()
    sqlite = engine.dialect.name == "sqlite"
    mark = "?" if sqlite else "%s"

    def marks(n: int) -> str:
        return ", ".join([mark] * n)

    insert_message = (
        "INSERT INTO messages (root_id, conversation_id, sender, recipient, kind, body, "
        f"channel, created_at, chain_seq, chain_hash) VALUES ({marks(10)})"
    ) + ("" if sqlite else " RETURNING id")
    insert_event = (
        "INSERT INTO message_events (message_id, conversation_id, status, consent_state, "
        f"created_at, chain_seq, chain_hash) VALUES ({marks(7)})"
    )
    insert_outbox = (
        "INSERT INTO outbox (message_id, destination, status, attempts, next_attempt_at, "
        f"created_at, in_doubt) VALUES ({marks(7)})"
    )
    move_head = (
        f"UPDATE conversations SET chain_length = {mark}, chain_head = {mark} WHERE id = {mark}"
    )
    try:
        cursor = raw.cursor()
        cursor.execute(
            f"SELECT chain_length FROM conversations WHERE id = {mark}", (conversation_id,)
        )
        seq = int(_first(cursor))
        raw.commit()
        count = 0
        started = time.perf_counter()
        deadline = started + seconds
        while time.perf_counter() < deadline:
            moment = datetime.now(UTC)
            stamp = moment.replace(tzinfo=None) if sqlite else moment
            if sqlite:
                cursor.execute("BEGIN IMMEDIATE")
            message = (root_id, conversation_id, "employee", "contact", "user", "floor", "sms")
            cursor.execute(insert_message, (*message, stamp, seq + 1, FLOOR_HASH))
            message_id = cursor.lastrowid if sqlite else _first(cursor)
            event = (message_id, conversation_id, "delivered", "opted_in", stamp)
            cursor.execute(insert_event, (*event, seq + 2, FLOOR_HASH))
            cursor.execute(insert_outbox, (message_id, "contact", "sent", 1, stamp, stamp, False))
            seq += 2
            cursor.execute(move_head, (seq, FLOOR_HASH, conversation_id))
            raw.commit()
            count += 1
        return count / (time.perf_counter() - started)
    finally:
        raw.close()


def _first(cursor: Any) -> Any:
    row = cursor.fetchone()
    assert row is not None
    return row[0]


def domain_decisions(seconds: float) -> float:
    """Decisions per second of ``decide`` over a mix of states and messages."""
    settings = PolicySettings(entitled=True, enabled=True, mode=Mode.CONSENT)
    names = Names("Bench Employee", "Benchmark Bank")
    at = datetime(2026, 1, 1, tzinfo=UTC)
    cases = [
        (ConsentRecord(), Message(Party.CONTACT, "Hello there", at)),
        (
            ConsentRecord(state=State.PENDING, initiated_by=Party.CONTACT, last_request_at=at),
            Message(Party.CONTACT, " yes! ", at),
        ),
        (ConsentRecord(state=State.OPTED_IN), Message(Party.EMPLOYEE, "Your statement", at)),
        (ConsentRecord(state=State.OPTED_IN), Message(Party.CONTACT, "Stop-All", at)),
        (ConsentRecord(state=State.OPTED_OUT), Message(Party.EMPLOYEE, "Are you there?", at)),
    ]
    count = 0
    started = time.perf_counter()
    deadline = started + seconds
    while time.perf_counter() < deadline:
        for record, message in cases:
            decide(record, settings, message, (), names)
        count += len(cases)
    return count / (time.perf_counter() - started)
