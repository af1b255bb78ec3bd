"""Reading the consent ledger: every decided conversation of some lines, with the evidence
of its decision (the deciding message, or the newest staff or import event's details)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from consentline.store.tables import consent_events, conversations, lines, messages

BATCH = 2000


@dataclass(frozen=True)
class LedgerRow:
    line: str
    contact: str
    channel: str
    state: str
    decided_at: datetime | None
    source_system: str | None
    evidence: str | None

    def cells(self) -> tuple[object, ...]:
        return (
            self.line,
            self.contact,
            self.channel,
            self.state,
            self.decided_at,
            self.source_system,
            self.evidence,
        )


def _newest_event(column: Any) -> Any:
    return (
        select(column)
        .where(consent_events.c.conversation_id == conversations.c.id)
        .order_by(consent_events.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )


def ledger(conn: Connection, line_ids: Sequence[int], states: Sequence[str]) -> Iterator[LedgerRow]:
    query = (
        select(
            lines.c.number,
            conversations.c.contact,
            conversations.c.channel,
            conversations.c.state,
            conversations.c.decided_at,
            conversations.c.evidence_message_id,
            messages.c.body,
            _newest_event(consent_events.c.source).label("source"),
            _newest_event(consent_events.c.details).label("details"),
        )
        .join(lines, lines.c.id == conversations.c.line_id)
        .outerjoin(messages, messages.c.id == conversations.c.evidence_message_id)
        .where(conversations.c.line_id.in_(list(line_ids)))
        .where(conversations.c.state.in_(list(states)))
        .order_by(conversations.c.id)
    )
    for row in conn.execution_options(stream_results=True, yield_per=BATCH).execute(query):
        source_system, evidence = "consentline", None
        if row.evidence_message_id is not None:
            evidence = f"message {row.evidence_message_id}: {row.body}"
        elif row.source is not None and row.details:
            details = json.loads(row.details)
            source_system = details.get("source_system") or f"consentline {row.source}"
            evidence = details.get("evidence") or details.get("evidence_url") or details.get("note")
        yield LedgerRow(
            row.number,
            row.contact,
            row.channel,
            row.state,
            row.decided_at,
            source_system,
            evidence,
        )
