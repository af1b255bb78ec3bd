"""Consent evidence for one conversation: what a compliance officer shows, years later.

The full history of the consent record, every opt-in request exactly as sent, the message
that decided it, the mode in force, and whether the conversation's archive chain is intact.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import Connection, select

from consentline.domain import labels
from consentline.domain.messages import Channel
from consentline.domain.phone import to_e164
from consentline.domain.timefmt import iso_z
from consentline.service.access import Principal, Privilege
from consentline.service.archive_verify import verify_conversation
from consentline.service.messaging import consent_view, find_line, line_ref
from consentline.store import conversations as conversation_store, orgs as org_store
from consentline.store.tables import consent_events, message_events, messages

REQUEST_TEMPLATES = ("mt_request", "mo_request")

_templates = Environment(
    loader=FileSystemLoader(Path(__file__).with_name("templates")),
    autoescape=select_autoescape(["html"]),
)


def _message(row: Any, status: str | None = None) -> dict[str, Any]:
    return {
        "id": row.id,
        "sender": row.sender,
        "recipient": row.recipient,
        "template": row.template,
        "body": row.body,
        "at": iso_z(row.created_at),
        "status": status,
    }


def gather(
    conn: Connection,
    principal: Principal,
    line: str,
    contact: str,
    channel: Channel,
    region: str = "US",
) -> dict[str, Any]:
    principal.require(Privilege.REPORTS)
    found = find_line(conn, principal, line_ref(line), region)
    number = to_e164(contact, region)
    root = org_store.get_org(conn, found.root_id)
    unit = org_store.get_org(conn, found.org_id)
    assert root is not None
    assert unit is not None
    conversation = conversation_store.find_conversation(conn, found.id, number, channel.value)
    proof: dict[str, Any] = {
        "organization": root.name,
        "sub_organization": unit.name if unit.id != root.id else None,
        "employee": found.employee_name,
        "line": found.number,
        "contact": number,
        "channel": channel.value,
        "generated_at": iso_z(datetime.now(UTC)),
        "consent": None,
        "history": [],
        "requests": [],
        "deciding_message": None,
        "archive": None,
    }
    if conversation is None:
        return proof
    cid = conversation.id
    proof["consent"] = consent_view(conversation.record, conversation.evidence_message_id)
    statuses: dict[int, str] = {}
    for event in conn.execute(
        select(message_events.c.message_id, message_events.c.status)
        .where(message_events.c.conversation_id == cid)
        .order_by(message_events.c.id)
    ):
        statuses[event.message_id] = event.status
    by_id = {
        row.id: row
        for row in conn.execute(
            select(messages).where(messages.c.conversation_id == cid).order_by(messages.c.id)
        )
    }
    for event in conn.execute(
        select(consent_events)
        .where(consent_events.c.conversation_id == cid)
        .order_by(consent_events.c.id)
    ):
        trigger = by_id.get(event.message_id) if event.message_id else None
        proof["history"].append(
            {
                "at": iso_z(event.created_at),
                "old_state": event.old_state,
                "new_state": event.new_state,
                "mode": event.mode,
                "initiated_by": event.initiated_by,
                "trigger": _message(trigger, statuses.get(trigger.id)) if trigger else None,
            }
        )
    proof["requests"] = [
        _message(row, statuses.get(row.id))
        for row in by_id.values()
        if row.template in REQUEST_TEMPLATES
    ]
    deciding = by_id.get(conversation.evidence_message_id or 0)
    if deciding is not None:
        proof["deciding_message"] = _message(deciding, statuses.get(deciding.id))
    chain = verify_conversation(conn, cid)
    proof["archive"] = {
        "intact": chain.intact,
        "problem": chain.problem,
        "records": chain.records,
    }
    return proof


_CSS = Path(__file__).with_name("templates").joinpath("evidence.css").read_text()
_CSS_HASH = base64.b64encode(hashlib.sha256(_CSS.encode()).digest()).decode()
# The page is self-contained: its one inline style is allowed by hash, nothing else at all.
CONTENT_SECURITY_POLICY = (
    f"default-src 'none'; style-src 'sha256-{_CSS_HASH}'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)


def render_html(proof: dict[str, Any]) -> str:
    """A printable one-page proof (the browser's Print to PDF makes the PDF)."""
    return _templates.get_template("evidence.html").render(proof=proof, css=_CSS, L=labels)


def html_response(proof: dict[str, Any]) -> HTMLResponse:
    return HTMLResponse(
        render_html(proof), headers={"Content-Security-Policy": CONTENT_SECURITY_POLICY}
    )
