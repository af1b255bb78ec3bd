"""The consent dossier of one contact: one signed file proving every consent decision.

For each conversation of the contact (on one line, or on every line of the organization):
every consent event with what decided it (the contact's message, a staff record, an import
with its source), every message verbatim (the requests as shown, confirmations), and every
archive record as its chain hashed it, so that ``domain/dossier_check.py`` can recompute
the chain offline. The manifest is signed with the organization's Ed25519 key.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import Connection, Engine, select

from consentline.domain import archive_chain as chain
from consentline.domain.dossier_check import FORMAT, HTML, MANIFEST, SIGNATURE, key_id
from consentline.domain.phone import to_e164
from consentline.domain.timefmt import iso_z
from consentline.service.access import Principal, Privilege, visible_org
from consentline.service.dossier_keys import public_bytes, signing_key
from consentline.service.recorded import org_lines
from consentline.store import orgs as org_store
from consentline.store.checkpoints import expectations
from consentline.store.db import reading
from consentline.store.tables import consent_events, conversations, message_events, messages

_templates = Environment(
    loader=FileSystemLoader(Path(__file__).with_name("templates")),
    autoescape=select_autoescape(["html"]),
)
_CSS = Path(__file__).with_name("templates").joinpath("evidence.css").read_text()


def build(
    engine: Engine,
    principal: Principal,
    org_id: int,
    contact: str,
    line: str | None,
    now: datetime,
    region: str = "US",
) -> tuple[str, bytes]:
    """The dossier's file name and its ZIP bytes."""
    principal.require(Privilege.REPORTS, Privilege.SETUP)
    with reading(engine) as conn:
        dossier = gather(conn, principal, org_id, contact, line, now, region)
    key = signing_key(engine, dossier["organization"]["root_id"], now)
    public = public_bytes(key)
    dossier["key_id"] = key_id(public)
    dossier["public_key"] = base64.b64encode(public).decode()
    html = _templates.get_template("dossier.html").render(d=dossier, css=_CSS).encode()
    manifest = {
        "format": FORMAT,
        **{k: v for k, v in dossier.items() if k != "conversations"},
        "files": {HTML: hashlib.sha256(html).hexdigest()},
        "conversations": [
            {
                k: c[k]
                for k in (
                    "identity",
                    "line",
                    "chain_length",
                    "chain_head",
                    "base_seq",
                    "base_hash",
                    "records",
                )
            }
            for c in dossier["conversations"]
        ],
    }
    manifest_bytes = json.dumps(manifest, indent=1, sort_keys=True, ensure_ascii=False).encode()
    signature = base64.b64encode(key.sign(manifest_bytes))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MANIFEST, manifest_bytes)
        archive.writestr(SIGNATURE, signature)
        archive.writestr(HTML, html)
    digits = "".join(ch for ch in dossier["contact"] if ch.isdigit())
    return f"consent-dossier-{digits}-{now:%Y%m%d}.zip", buffer.getvalue()


def public_key(engine: Engine, principal: Principal, org_id: int, now: datetime) -> tuple[str, str]:
    """The organization's public key (base64) and its key id."""
    principal.require(Privilege.REPORTS, Privilege.SETUP)
    with reading(engine) as conn:
        root_id = visible_org(conn, principal, org_id).root_id
    public = public_bytes(signing_key(engine, root_id, now))
    return base64.b64encode(public).decode(), key_id(public)


def gather(
    conn: Connection,
    principal: Principal,
    org_id: int,
    contact: str,
    line: str | None,
    now: datetime,
    region: str,
) -> dict[str, Any]:
    org = visible_org(conn, principal, org_id)
    scope = org_lines(conn, org)
    lines = [scope.find(line, region)] if line else scope.lines
    number = to_e164(contact, region)
    root = org_store.get_org(conn, org.root_id)
    assert root is not None
    by_id = {item.id: item for item in lines}
    rows = conn.execute(
        select(conversations)
        .where(conversations.c.line_id.in_(list(by_id)), conversations.c.contact == number)
        .order_by(conversations.c.id)
    ).all()
    return {
        "organization": {"id": org.id, "name": org.name, "root_id": root.id, "root": root.name},
        "contact": number,
        "line": by_id[lines[0].id].number if line else None,
        "generated_at": iso_z(now),
        "conversations": [_conversation(conn, row, by_id[row.line_id]) for row in rows],
    }


def _conversation(conn: Connection, row: Any, line: Any) -> dict[str, Any]:
    cid = row.id
    base = expectations(conn, cid).bases.get(cid)
    records: list[dict[str, Any]] = []
    rows_by_table: dict[str, list[Any]] = {}
    for name, table in (
        ("messages", messages),
        ("message_events", message_events),
        ("consent_events", consent_events),
    ):
        found = list(conn.execute(select(table).where(table.c.conversation_id == cid)))
        rows_by_table[name] = found
        for record in found:
            records.append(
                {
                    "table": name,
                    "seq": record.chain_seq,
                    "hash": record.chain_hash,
                    "fields": chain.normalized(name, record._mapping),
                }
            )
    records.sort(key=lambda r: -1 if r["seq"] is None else int(r["seq"]))
    status: dict[int, str] = {}
    for event in sorted(rows_by_table["message_events"], key=lambda e: e.id):
        status[event.message_id] = event.status
    texts = {m.id: m for m in rows_by_table["messages"]}
    return {
        "identity": chain.normalized_conversation(row._mapping),
        "line": line.number,
        "employee": line.employee_name,
        "state": row.state,
        "chain_length": int(row.chain_length),
        "chain_head": row.chain_head,
        "base_seq": base[0] if base else 0,
        "base_hash": base[1] if base else None,
        "records": records,
        "consent_events": [
            _event(event, texts.get(event.message_id))
            for event in sorted(rows_by_table["consent_events"], key=lambda e: e.id)
        ],
        "messages": [
            {
                "id": m.id,
                "at": iso_z(m.created_at),
                "sender": m.sender,
                "recipient": m.recipient,
                "template": m.template,
                "body": m.body,
                "status": status.get(m.id),
                "seq": m.chain_seq,
            }
            for m in sorted(rows_by_table["messages"], key=lambda m: m.id)
        ],
    }


def _event(event: Any, message: Any) -> dict[str, Any]:
    return {
        "at": iso_z(event.created_at),
        "old_state": event.old_state,
        "new_state": event.new_state,
        "mode": event.mode,
        "source": event.source or ("message" if message is not None else "system"),
        "details": json.loads(event.details) if event.details else None,
        "request_text": event.request_text,
        "message": (
            {"id": message.id, "sender": message.sender, "body": message.body}
            if message is not None
            else None
        ),
        "seq": event.chain_seq,
        "hash": event.chain_hash,
    }
