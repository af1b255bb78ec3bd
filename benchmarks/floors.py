"""Baselines measured in the same run as ConsentLine.

- The store floor: the rows one delivered message writes (the message, its status event,
  its outbox item), inserted by plain SQL through the bare driver, one transaction per
  message, no web layer and no policy.
- The domain: decisions per second of the pure decision function.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from sqlalchemy import Engine

from consentline.domain.consent import ConsentRecord, Party, State
from consentline.domain.policy import Message, Names, decide
from consentline.domain.settings import Mode, PolicySettings


def store_floor(engine: Engine, conversation_id: int, root_id: int, seconds: float) -> float:
    """Messages per second written as plain SQL, one transaction each."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        placeholder = "?" if engine.dialect.name == "sqlite" else "%s"
        insert_message = (
            "INSERT INTO messages (root_id, conversation_id, sender, recipient, kind, body, "
            f"channel, created_at) VALUES ({', '.join([placeholder] * 8)})"
        )
        insert_event = (
            "INSERT INTO message_events (message_id, conversation_id, status, consent_state, "
            f"created_at) VALUES ({', '.join([placeholder] * 5)})"
        )
        insert_outbox = (
            "INSERT INTO outbox (message_id, destination, status, attempts, next_attempt_at, "
            f"created_at) VALUES ({', '.join([placeholder] * 6)})"
        )
        count = 0
        started = time.perf_counter()
        deadline = started + seconds
        sqlite = engine.dialect.name == "sqlite"
        while time.perf_counter() < deadline:
            moment = datetime.now(UTC)
            stamp = moment.replace(tzinfo=None) if sqlite else moment
            if sqlite:
                cursor.execute("BEGIN IMMEDIATE")
            values = (
                root_id,
                conversation_id,
                "employee",
                "contact",
                "user",
                "floor",
                "sms",
                stamp,
            )
            cursor.execute(insert_message + (" RETURNING id" if not sqlite else ""), values)
            message_id = cursor.lastrowid if sqlite else cursor.fetchone()[0]
            cursor.execute(
                insert_event, (message_id, conversation_id, "delivered", "opted_in", stamp)
            )
            cursor.execute(insert_outbox, (message_id, "contact", "sent", 1, stamp, stamp))
            raw.commit()
            count += 1
        return count / (time.perf_counter() - started)
    finally:
        raw.close()


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
