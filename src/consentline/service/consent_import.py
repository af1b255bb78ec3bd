"""Importing consent decisions from another system's CSV (see ``domain/consent_csv.py``).

The whole file is read and checked first; if any row is invalid, nothing is applied (the
run becomes a dry run that lists every problem with its line number). Valid rows are then
applied in batches, each batch one transaction: every row locks its conversation, is judged
against what ConsentLine already knows (``domain.recorded.judge_import``) and, if it changes
something, goes through ``record_decision`` like any other consent change, archived with its
source. Importing the same file again finds every row unchanged.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine

from consentline.domain.consent_csv import ImportRow, RowProblem, parse
from consentline.domain.errors import DomainError
from consentline.domain.recorded import Outcome, Source, judge_import, last_change_at
from consentline.domain.settings import PolicySettings
from consentline.domain.timefmt import iso_z
from consentline.service.access import Principal, Privilege, visible_org
from consentline.service.recorded import OrgLines, apply_recorded, org_lines
from consentline.service.settings import policy_settings
from consentline.service.unit_of_work import UnitOfWork
from consentline.store.archive import ArchiveBatch
from consentline.store.conversation_batch import ConversationKey, lock_conversations
from consentline.store.conversations import ConversationRow, Provenance
from consentline.store.orgs import LineRow

BATCH = 1000


@dataclass
class ImportSummary:
    dry_run: bool
    rows: int = 0
    applied: int = 0
    unchanged: int = 0
    quarantined: list[RowProblem] = field(default_factory=list)
    invalid: list[RowProblem] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "applied": self.applied,
            "unchanged": self.unchanged,
            "quarantined": [q.as_json() for q in self.quarantined],
            "invalid": [i.as_json() for i in self.invalid],
            "dry_run": self.dry_run,
        }


@dataclass(frozen=True)
class _Planned:
    row: ImportRow
    lines: list[LineRow]


def import_consents(
    engine: Engine,
    principal: Principal,
    org_id: int,
    data: bytes,
    now: datetime,
    *,
    dry_run: bool = False,
    allow_opt_in: bool = False,
    region: str = "US",
    progress: Callable[[int, int], None] | None = None,
    batch: int = BATCH,
) -> ImportSummary:
    """Import a CSV file into an organization; ``progress`` is told (rows done, rows in all)
    after each batch."""
    principal.require(Privilege.SETUP)
    with UnitOfWork(engine, read_only=True) as uow:
        scope = org_lines(uow.connection, visible_org(uow.connection, principal, org_id))
    parsed = parse(data, now, region)
    planned, invalid = _resolve(parsed.rows, scope, region)
    invalid = sorted([*parsed.invalid, *invalid], key=lambda problem: problem.row)
    summary = ImportSummary(dry_run=dry_run or bool(invalid), invalid=invalid)
    summary.rows = len(planned)
    file_hash = hashlib.sha256(data).hexdigest()
    for chunk in _batches(planned, batch):
        with UnitOfWork(engine) as uow:
            conn = uow.connection
            settings = policy_settings(uow, scope.org.root_id)
            keys = [key for item in chunk for key in _keys(item)]
            locked = lock_conversations(conn, scope.org.root_id, keys, now)
            archive = ArchiveBatch()
            for item in chunk:
                _import_row(
                    conn,
                    principal,
                    scope,
                    settings,
                    item,
                    locked,
                    archive,
                    now,
                    file_hash,
                    summary,
                    allow_opt_in=allow_opt_in,
                )
            if not summary.dry_run:
                archive.flush(conn)
                uow.commit()
        if progress is not None:
            progress(len(chunk), len(planned))
    return summary


def _keys(item: _Planned) -> list[ConversationKey]:
    row = item.row
    return [
        (line.id, row.contact, row.channel.value)
        for line in item.lines
        if line.number != row.contact  # an organization-wide row skips the contact's own line
    ]


def _batches(planned: list[_Planned], size: int) -> Iterator[list[_Planned]]:
    """Runs of at most ``size`` rows in which no conversation comes twice (a later row of
    the same conversation must see what the earlier one did, so it waits for the next)."""
    chunk: list[_Planned] = []
    seen: set[ConversationKey] = set()
    for item in planned:
        keys = _keys(item)
        if len(chunk) >= size or seen.intersection(keys):
            yield chunk
            chunk, seen = [], set()
        chunk.append(item)
        seen.update(keys)
    if chunk:
        yield chunk


def _resolve(
    rows: list[ImportRow], scope: OrgLines, region: str
) -> tuple[list[_Planned], list[RowProblem]]:
    """Each row with the lines it applies to; an unknown line makes the row invalid."""
    found: dict[str, LineRow | str] = {}
    planned: list[_Planned] = []
    invalid: list[RowProblem] = []
    for row in rows:
        if row.line is None:
            if not scope.lines:
                invalid.append(RowProblem(row.row, "the organization has no lines"))
            else:
                planned.append(_Planned(row, scope.lines))
            continue
        if row.line not in found:
            try:
                found[row.line] = scope.find(row.line, region)
            except DomainError as problem:
                found[row.line] = problem.message
        line = found[row.line]
        if isinstance(line, str):
            invalid.append(RowProblem(row.row, f"line: {line}"))
        elif line.number == row.contact:
            invalid.append(RowProblem(row.row, "the contact is the line's own number"))
        else:
            planned.append(_Planned(row, [line]))
    return planned, invalid


def _import_row(
    conn: Connection,
    principal: Principal,
    scope: OrgLines,
    settings: PolicySettings,
    item: _Planned,
    locked: dict[ConversationKey, ConversationRow],
    archive: ArchiveBatch,
    now: datetime,
    file_hash: str,
    summary: ImportSummary,
    *,
    allow_opt_in: bool,
) -> None:
    row = item.row
    changed = quarantined = False
    for line in item.lines:
        if line.number == row.contact:
            continue
        conversation = locked[(line.id, row.contact, row.channel.value)]
        verdict = judge_import(
            conversation.record,
            last_change_at(conversation.record),
            row.state,
            row.decided_at,
            row.evidence,
            allow_opt_in=allow_opt_in,
        )
        if verdict.outcome is Outcome.QUARANTINE:
            where = f"line {line.number}: " if len(item.lines) > 1 else ""
            summary.quarantined.append(RowProblem(row.row, where + (verdict.reason or "")))
            quarantined = True
            continue
        if verdict.outcome is Outcome.UNCHANGED:
            continue
        changed = True
        if summary.dry_run:
            continue
        details = {
            "imported_by": principal.name,
            "source_system": row.source_system,
            "evidence": row.evidence,
            "decided_at": iso_z(row.decided_at or now),
            "file_sha256": file_hash,
            "file_row": row.row,
        }
        apply_recorded(
            conn,
            conversation,
            line,
            scope,
            settings,
            row.state,
            row.decided_at or now,
            now,
            Provenance(Source.IMPORT.value, details),
            batch=archive,
        )
    if changed:
        summary.applied += 1
    elif not quarantined:
        summary.unchanged += 1
