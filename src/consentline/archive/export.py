"""Exports for compliance archivers: JSON Lines, and RFC 5322 EML files in a ZIP.

One record per message and per consent event of an organization (and its children) in a
date range, oldest first, each carrying sender, recipient, employee, line, channel,
direction, UTC time, body and consent state, plus its place in the hash chain. Rows stream
from server-side cursors straight into the output file.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import os
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Connection, Select, select
from sqlalchemy.orm import aliased

from consentline.domain.timefmt import iso_z
from consentline.service.report_scope import Scope
from consentline.store.tables import (
    consent_events,
    conversations,
    lines,
    message_events,
    messages as messages_table,
    orgs,
)

BATCH = 2000
MAIL_DOMAIN = "consentline.invalid"


@dataclass(frozen=True)
class ExportRange:
    start: date | None = None
    end: date | None = None


def _with_context(query: Select[Any], scope: Scope, table: Any, when: ExportRange) -> Select[Any]:
    unit = aliased(orgs, name="unit_org")
    root = aliased(orgs, name="root_org")
    query = (
        query.add_columns(
            root.c.name.label("organization"),
            unit.c.name.label("unit_name"),
            unit.c.id.label("unit_id"),
            lines.c.employee_name.label("employee"),
            lines.c.number.label("line"),
            conversations.c.contact.label("contact"),
        )
        .join(conversations, conversations.c.id == table.c.conversation_id)
        .join(lines, lines.c.id == conversations.c.line_id)
        .join(unit, unit.c.id == lines.c.org_id)
        .join(root, root.c.id == conversations.c.root_id)
        .where(conversations.c.root_id == scope.root_id)
        .where(lines.c.org_id.in_(sorted(scope.org_ids)))
    )
    if when.start is not None:
        query = query.where(table.c.created_at >= datetime.combine(when.start, time(0), UTC))
    if when.end is not None:
        end = datetime.combine(when.end + timedelta(days=1), time(0), UTC)
        query = query.where(table.c.created_at < end)
    return query.order_by(table.c.created_at, table.c.id)


def _party(role: str, row: Any) -> str:
    return str({"contact": row.contact, "employee": row.line, "system": "ConsentLine"}[role])


def _direction(row: Any) -> str:
    if row.sender == "contact":
        return "inbound"
    if row.recipient == "contact":
        return "outbound"
    return "internal"


def _common(row: Any, scope: Scope) -> dict[str, Any]:
    return {
        "organization": row.organization,
        "sub_organization": row.unit_name if row.unit_id != scope.root_id else None,
        "employee": row.employee,
        "line": row.line,
        "contact": row.contact,
        "conversation_id": row.conversation_id,
        "chain_seq": row.chain_seq,
        "chain_hash": row.chain_hash,
    }


def _message_records(conn: Connection, scope: Scope, when: ExportRange) -> Iterator[dict[str, Any]]:
    m = messages_table
    latest = (
        select(message_events.c.status)
        .where(message_events.c.message_id == m.c.id)
        .order_by(message_events.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    state_after = (
        select(message_events.c.consent_state)
        .where(message_events.c.message_id == m.c.id)
        .order_by(message_events.c.id)
        .limit(1)
        .scalar_subquery()
    )
    query = _with_context(
        select(m, latest.label("status"), state_after.label("consent_state")), scope, m, when
    )
    for row in conn.execution_options(stream_results=True, yield_per=BATCH).execute(query):
        yield {
            "type": "message",
            "id": row.id,
            **_common(row, scope),
            "channel": row.channel,
            "direction": _direction(row),
            "sender": _party(row.sender, row),
            "sender_role": row.sender,
            "recipient": _party(row.recipient, row),
            "recipient_role": row.recipient,
            "kind": row.kind,
            "template": row.template,
            "body": row.body,
            "status": row.status,
            "consent_state": row.consent_state,
            "provider_message_id": row.provider_message_id,
            "created_at": iso_z(row.created_at, "microseconds"),
        }


def _consent_records(conn: Connection, scope: Scope, when: ExportRange) -> Iterator[dict[str, Any]]:
    c = consent_events
    query = _with_context(select(c, conversations.c.channel), scope, c, when)
    for row in conn.execution_options(stream_results=True, yield_per=BATCH).execute(query):
        yield {
            "type": "consent_event",
            "id": row.id,
            **_common(row, scope),
            "channel": row.channel,
            "direction": "internal",
            "sender": row.contact if row.initiated_by != "employee" else row.line,
            "recipient": "ConsentLine",
            "old_state": row.old_state,
            "new_state": row.new_state,
            "consent_state": row.new_state,
            "mode": row.mode,
            "initiated_by": row.initiated_by,
            "message_id": row.message_id,
            "request_text": row.request_text,
            "body": f"Consent state changed from {row.old_state} to {row.new_state}"
            + (f" (mode {row.mode})" if row.mode else "")
            + (f", by message {row.message_id}." if row.message_id else "."),
            "created_at": iso_z(row.created_at, "microseconds"),
        }


def records(conn: Connection, scope: Scope, when: ExportRange) -> Iterator[dict[str, Any]]:
    """Messages and consent events, oldest first (a consent event after its message)."""
    return heapq.merge(
        _message_records(conn, scope, when),
        _consent_records(conn, scope, when),
        key=lambda r: (r["created_at"], r["type"] != "message", r["id"]),
    )


@contextmanager
def finished_or_absent(path: Path) -> Iterator[Path]:
    """A temporary file beside ``path``, moved into place only when the block completes:
    an export that fails half-way leaves no partial file behind (and an earlier export at
    ``path`` untouched). The file is readable by its owner only: it holds personal data."""
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        with temporary.open("rb") as written:
            os.fsync(written.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_jsonl(rows: Iterator[dict[str, Any]], out: IO[str]) -> int:
    count = 0
    for row in rows:
        out.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")
        count += 1
    return count


def _header_text(value: object) -> str:
    """A header value on one line: names stored before line breaks were refused may hold
    them, and a header cannot. Non-ASCII text is RFC 2047-encoded by the message policy."""
    text = "".join(" " if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c for c in str(value))
    return " ".join(text.split())


def _address(name: str | None, number: str) -> Address:
    local = "consentline" if number == "ConsentLine" else number.lstrip("+")
    label = f"{name} ({number})" if name else number
    return Address(display_name=_header_text(label), username=local, domain=MAIL_DOMAIN)


def to_eml(record: dict[str, Any]) -> bytes:
    """One record as an RFC 5322 message, the shape mobile-capture archivers ingest."""
    mail = EmailMessage()
    employee = record["employee"]
    sender, recipient = record["sender"], record["recipient"]
    mail["From"] = _address(employee if sender == record["line"] else None, sender)
    mail["To"] = _address(employee if recipient == record["line"] else None, recipient)
    moment = datetime.strptime(record["created_at"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    mail["Date"] = format_datetime(moment, usegmt=True)
    mail["Message-ID"] = (
        f"<{record['type']}-{record['id']}.{record['conversation_id']}@{MAIL_DOMAIN}>"
    )
    what = "Consent event" if record["type"] == "consent_event" else record["channel"].upper()
    mail["Subject"] = _header_text(
        f"{what} {record['direction']}: {employee} / {record['contact']}"
    )
    headers = {
        "X-ConsentLine-Record": record["type"],
        "X-ConsentLine-Organization": record["organization"],
        "X-ConsentLine-Employee": employee,
        "X-ConsentLine-Line": record["line"],
        "X-ConsentLine-Contact": record["contact"],
        "X-ConsentLine-Channel": record["channel"],
        "X-ConsentLine-Direction": record["direction"],
        "X-ConsentLine-Timestamp-UTC": record["created_at"],
        "X-ConsentLine-Consent-State": record["consent_state"] or "none",
        "X-ConsentLine-Status": record.get("status") or "",
        "X-ConsentLine-Chain": f"{record['chain_seq']}:{record['chain_hash']}",
    }
    for name, value in headers.items():
        if value:
            mail[name] = _header_text(value)
    mail.set_content(record["body"], charset="utf-8")
    return mail.as_bytes()


def write_eml_zip(rows: Iterator[dict[str, Any]], path: Path) -> int:
    """EML files and a manifest.json listing each with its SHA-256; returns the count.

    The manifest's entries wait in a temporary file, not in memory, until the end."""
    count = 0
    with (
        zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        tempfile.TemporaryFile("w+", encoding="utf-8") as pending,
    ):
        for row in rows:
            name = f"{row['created_at'][:10]}/{row['type']}-{row['id']}.eml"
            data = to_eml(row)
            archive.writestr(name, data)
            entry = {"file": name, "sha256": hashlib.sha256(data).hexdigest()}
            pending.write(json.dumps(entry) + "\n")
            count += 1
        pending.seek(0)
        with archive.open("manifest.json", "w") as manifest:
            manifest.write(f'{{"format": "eml", "count": {count}, "files": [\n'.encode())
            for number, line in enumerate(pending):
                manifest.write(((",\n" if number else "") + line.rstrip("\n")).encode())
            manifest.write(b"\n]}\n")
    return count
