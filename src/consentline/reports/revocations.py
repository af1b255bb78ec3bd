"""The revocation clock: every opt-out, how fast it was confirmed, its deadline, and whether
anything but the one confirmation reached the contact afterwards.

An opt-out is a consent event into ``opted_out`` from another state. Its confirmation is
the conversation's first ``*_optout_confirmation`` after it, timed by when the outbox sent
it. A message "after" is any message to the contact of that conversation that the outbox
took after the opt-out and before the contact's next consent change (a new cycle, an
opt-in), other than that confirmation and the HELP answers the contact asked for.

Three queries serve a whole report (events, then messages and consent changes of those
conversations); the summary covers every row of the filter, the page only some.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, select

from consentline.domain.business_days import revocation_deadline
from consentline.domain.consent import State
from consentline.domain.errors import InvalidInput
from consentline.domain.timefmt import iso_z
from consentline.reports.sms_optin import MAX_PAGE_SIZE
from consentline.service.report_scope import Scope
from consentline.store.tables import consent_events, conversations, lines, messages, outbox

CONFIRMATION_LIMIT_SECONDS = 300  # the FCC presumes a confirmation within 5 minutes lawful
SOURCES = ("keyword", "carrier", "staff", "import")

COLUMNS: tuple[tuple[str, str], ...] = (
    ("org_id", "Organization id"),
    ("line", "Line"),
    ("contact", "Contact"),
    ("channel", "Channel"),
    ("source", "Source"),
    ("received_at", "Received at (UTC)"),
    ("confirmation_sent_at", "Confirmation sent at (UTC)"),
    ("confirmation_latency_s", "Confirmation latency (s)"),
    ("deadline", "Deadline (10 US business days)"),
    ("messages_after", "Messages after revocation"),
)


@dataclass(frozen=True)
class RevocationFilter:
    start: date | None = None
    end: date | None = None


def revocation_source(recorded: str | None, carrier: str | None, trigger_sender: str | None) -> str:
    """Where an opt-out came from, read from what the store records; the one place that
    maps it. A staff decision or an import names itself on its consent event; a carrier's
    report (Twilio STOP, 21610, WhatsApp 131050 or a stop preference) records its
    ``optout_source``; otherwise a contact's message is a keyword."""
    if recorded in ("staff", "import"):
        return recorded
    if carrier or trigger_sender is None:
        return "carrier"
    if trigger_sender == "contact":
        return "keyword"
    return "staff"


def _day(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def _events(conn: Connection, scope: Scope, report: RevocationFilter) -> Sequence[Any]:
    trigger = messages.alias("trigger")
    query = (
        select(
            consent_events.c.id,
            consent_events.c.conversation_id,
            consent_events.c.message_id,
            consent_events.c.created_at,
            lines.c.org_id,
            lines.c.number.label("line"),
            conversations.c.contact,
            conversations.c.channel,
            trigger.c.sender.label("trigger_sender"),
            consent_events.c.source.label("recorded_source"),
            consent_events.c.optout_source.label("carrier_source"),
        )
        .join(conversations, conversations.c.id == consent_events.c.conversation_id)
        .join(lines, lines.c.id == conversations.c.line_id)
        .outerjoin(trigger, trigger.c.id == consent_events.c.message_id)
        .where(
            conversations.c.root_id == scope.root_id,
            consent_events.c.new_state == State.OPTED_OUT.value,
            consent_events.c.old_state != State.OPTED_OUT.value,
        )
        .order_by(consent_events.c.created_at.desc(), consent_events.c.id.desc())
    )
    if not scope.whole_tree:
        query = query.where(lines.c.org_id.in_(sorted(scope.org_ids)))
    if report.start is not None:
        query = query.where(consent_events.c.created_at >= _day(report.start))
    if report.end is not None:
        query = query.where(consent_events.c.created_at < _day(report.end + timedelta(days=1)))
    return conn.execute(query).all()


def _to_contact(conn: Connection, conversation_ids: list[int]) -> dict[int, list[Any]]:
    """Messages to the contact that the outbox took, per conversation, oldest first."""
    query = (
        select(
            messages.c.id,
            messages.c.conversation_id,
            messages.c.template,
            messages.c.created_at,
            outbox.c.sent_at,
        )
        .join(outbox, outbox.c.message_id == messages.c.id)
        .where(messages.c.conversation_id.in_(conversation_ids), messages.c.recipient == "contact")
        .order_by(messages.c.id)
    )
    found: dict[int, list[Any]] = {}
    for row in conn.execute(query):
        found.setdefault(row.conversation_id, []).append(row)
    return found


def _changes(conn: Connection, conversation_ids: list[int]) -> dict[int, list[Any]]:
    query = (
        select(consent_events.c.id, consent_events.c.conversation_id, consent_events.c.message_id)
        .where(consent_events.c.conversation_id.in_(conversation_ids))
        .where(consent_events.c.new_state != State.OPTED_OUT.value)
        .order_by(consent_events.c.id)
    )
    found: dict[int, list[Any]] = {}
    for row in conn.execute(query):
        found.setdefault(row.conversation_id, []).append(row)
    return found


def rows(conn: Connection, scope: Scope, report: RevocationFilter) -> list[dict[str, Any]]:
    """Every opt-out of the filter, newest first, with its clock."""
    events = _events(conn, scope, report)
    ids = sorted({event.conversation_id for event in events})
    sent: dict[int, list[Any]] = {}
    changes: dict[int, list[Any]] = {}
    for start in range(0, len(ids), 500):  # bounded IN lists
        sent |= _to_contact(conn, ids[start : start + 500])
        changes |= _changes(conn, ids[start : start + 500])
    return [_row(event, sent.get(event.conversation_id, []), changes) for event in events]


def _row(event: Any, sent: list[Any], changes: dict[int, list[Any]]) -> dict[str, Any]:
    received: datetime = event.created_at
    after_id = event.message_id or 0
    # The window closes at the conversation's next consent change away from opted_out.
    later = [c for c in changes.get(event.conversation_id, []) if c.id > event.id]
    until_id = min((c.message_id for c in later if c.message_id), default=None)
    window = [
        m
        for m in sent
        if m.id > after_id and m.created_at >= received and (until_id is None or m.id < until_id)
    ]
    confirmation = next(
        (m for m in window if (m.template or "").endswith("optout_confirmation")), None
    )
    others = [m for m in window if m is not confirmation and m.template != "help"]
    latency = None
    if confirmation is not None and confirmation.sent_at is not None:
        latency = round((confirmation.sent_at - received).total_seconds(), 3)
    return {
        "org_id": event.org_id,
        "line": event.line,
        "contact": event.contact,
        "channel": event.channel,
        "source": revocation_source(
            event.recorded_source, event.carrier_source, event.trigger_sender
        ),
        "received_at": iso_z(received),
        "confirmation_sent_at": iso_z(confirmation.sent_at if confirmation else None),
        "confirmation_latency_s": latency,
        "deadline": revocation_deadline(received.astimezone(UTC).date()).isoformat(),
        "messages_after": len(others),
        "confirmation_pending": confirmation is not None and confirmation.sent_at is None,
    }


def _percentile(values: list[float], share: float) -> float | None:
    """Nearest-rank percentile."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def summary(all_rows: list[dict[str, Any]], now: datetime) -> dict[str, Any]:
    latencies = [
        float(r["confirmation_latency_s"])
        for r in all_rows
        if r["confirmation_latency_s"] is not None
    ]
    late = sum(1 for value in latencies if value > CONFIRMATION_LIMIT_SECONDS)
    limit = timedelta(seconds=CONFIRMATION_LIMIT_SECONDS)
    late += sum(
        1
        for r in all_rows
        if r["confirmation_pending"]
        and now - datetime.fromisoformat(r["received_at"].replace("Z", "+00:00")) > limit
    )
    return {
        "count": len(all_rows),
        "confirmed": len(latencies),
        "confirmation_latency_p50_s": _percentile(latencies, 0.50),
        "confirmation_latency_p99_s": _percentile(latencies, 0.99),
        "confirmation_latency_max_s": max(latencies) if latencies else None,
        "confirmations_later_than_5_minutes": late,
        "messages_after_revocation": sum(r["messages_after"] for r in all_rows),
        "by_source": {source: sum(r["source"] == source for r in all_rows) for source in SOURCES},
    }


def _public(row: dict[str, Any]) -> dict[str, Any]:
    return {key: row[key] for key, _ in COLUMNS}


def page(
    conn: Connection,
    scope: Scope,
    report: RevocationFilter,
    number: int,
    size: int,
    now: datetime,
) -> dict[str, Any]:
    if number < 1 or not 1 <= size <= MAX_PAGE_SIZE:
        raise InvalidInput(f"page starts at 1; page_size is 1 to {MAX_PAGE_SIZE}.")
    every = rows(conn, scope, report)
    chosen = every[(number - 1) * size : number * size]
    return {
        "rows": [_public(row) for row in chosen],
        "summary": summary(every, now),
        "total": len(every),
        "page": number,
        "page_size": size,
    }


def stream(conn: Connection, scope: Scope, report: RevocationFilter) -> Iterator[dict[str, Any]]:
    for row in rows(conn, scope, report):
        yield _public(row)
