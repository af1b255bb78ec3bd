"""Applying a consent decision that no message made (a staff record, an approved request,
an imported row) to one conversation, through the same ``record_decision`` as messages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from consentline.domain.consent import State
from consentline.domain.errors import InvalidInput, NotFound
from consentline.domain.phone import to_e164
from consentline.domain.policy import Names
from consentline.domain.recorded import recorded_decision
from consentline.domain.settings import PolicySettings
from consentline.service.access import MAX_ID
from consentline.service.messaging import consent_view
from consentline.service.record_decision import record_decision
from consentline.store import conversations as store, orgs as org_store
from consentline.store.archive import ArchiveBatch
from consentline.store.conversations import ConversationRow, Provenance
from consentline.store.orgs import LineRow, OrgRow


@dataclass(frozen=True)
class OrgLines:
    """The lines of an organization and its sub-organizations, by id and by number."""

    org: OrgRow
    company_name: str
    lines: list[LineRow]

    def find(self, ref: str, region: str) -> LineRow:
        """A line of this organization named by number or id; 404 otherwise."""
        text = ref.strip()
        if text.isdigit() and len(text) <= 6:
            for line in self.lines:
                if line.id == int(text):
                    return line
        else:
            number = to_e164(text, region)
            for line in self.lines:
                if line.number == number:
                    return line
        raise NotFound(f"No line {ref} in organization {self.org.id}.", code="unknown_line")

    def by_number(self) -> dict[str, LineRow]:
        return {line.number: line for line in self.lines}


def org_lines(conn: Connection, org: OrgRow) -> OrgLines:
    tree = org_store.list_orgs(conn, org.root_id)
    inside = {org.id}
    for unit in tree:  # ordered by id: a parent always comes before its children
        if unit.parent_id in inside:
            inside.add(unit.id)
    root = next(unit for unit in tree if unit.id == org.root_id)
    lines = [line for line in org_store.list_lines(conn, org.root_id) if line.org_id in inside]
    return OrgLines(org, root.name, lines)


def targets(scope: OrgLines, line: str | None, region: str) -> list[LineRow]:
    """The lines a decision applies to: one line, or every line of the organization."""
    if line is not None and line.strip():
        return [scope.find(line, region)]
    if not scope.lines:
        raise InvalidInput(
            f"Organization {scope.org.id} has no lines to record a decision on.", code="no_lines"
        )
    return scope.lines


def check_id(value: int, what: str) -> int:
    if not 0 < value <= MAX_ID:
        raise NotFound(f"No {what} {value}.")
    return value


def lock(
    conn: Connection, line: LineRow, contact: str, channel: str, now: datetime
) -> ConversationRow:
    if contact == line.number:
        raise InvalidInput("A line cannot be its own contact.", code="invalid_phone_number")
    return store.lock_conversation(conn, line.root_id, line.id, contact, channel, now)


def apply_recorded(
    conn: Connection,
    conversation: ConversationRow,
    line: LineRow,
    scope: OrgLines,
    settings: PolicySettings,
    state: State,
    decided_at: datetime,
    now: datetime,
    provenance: Provenance,
    *,
    notify_contact: bool = False,
    batch: ArchiveBatch | None = None,
) -> dict[str, Any]:
    """Move one locked conversation to ``state``; returns the line and its new record."""
    decision = recorded_decision(
        conversation.record,
        settings,
        state,
        decided_at,
        now,
        conversation.held,
        notify_contact=notify_contact,
        names=Names(line.employee_name, scope.company_name),
    )
    evidence = record_decision(
        conn, conversation, decision, None, now, provenance, batch
    ).evidence_message_id
    return {"line": line.number, "consent": consent_view(decision.record, evidence)}
