"""Real carrier payloads (tests/fixtures/carriers, each file citing its source), replayed
signed as each carrier signs them.

The payloads are kept exactly as their sources publish them; only what ties them to an
account is pointed at the test's: the business ``phone_number_id`` (WhatsApp), and ``To``,
``AccountSid`` and a status callback's ``From`` (Twilio). Sources reuse placeholder message
ids across files (``wamid.xyzxyz``); ``unique_ids`` gives each replayed file its own, as
Meta's real ids are.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from consentline.store.carrier_tables import carrier_parts
from consentline.store.tables import messages
from tests.integration.carriers.conftest import (
    ACCOUNT_SID,
    APP_SECRET,
    LINE,
    PHONE_NUMBER_ID,
    Carrier,
)

FIXTURES = Path(__file__).parents[2] / "fixtures" / "carriers"


def fixtures(carrier: str) -> Iterator[tuple[str, Any]]:
    """Every payload of one carrier's fixture files, as (file:name, payload)."""
    for path in sorted((FIXTURES / carrier).glob("*.json")):
        document = json.loads(path.read_text())
        assert document["source"], f"{path.name} must cite its source"
        for name, payload in document["payloads"].items():
            yield f"{path.stem}:{name}", payload


def whatsapp_payload(name: str) -> Any:
    file, key = name.split(":")
    return json.loads((FIXTURES / "whatsapp" / f"{file}.json").read_text())["payloads"][key]


def retarget(payload: Any, suffix: str | None = None) -> Any:
    """The payload for the test's business number; ``suffix`` makes message ids unique."""
    payload = copy.deepcopy(payload)
    for entry in payload.get("entry") or []:
        for change in entry.get("changes") or []:
            value = change.get("value")
            if isinstance(value, dict) and isinstance(value.get("metadata"), dict):
                value["metadata"]["phone_number_id"] = PHONE_NUMBER_ID
            if suffix and isinstance(value, dict):
                for message in value.get("messages") or []:
                    if isinstance(message, dict) and message.get("id"):
                        message["id"] = f"{message['id']}.{suffix}"
    return payload


def sign(raw: bytes, secret: str = APP_SECRET) -> str:
    """As Meta signs: HMAC-SHA256 of the raw body with the app secret."""
    return "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()


def post_whatsapp(carrier: Carrier, payload: Any, *, secret: str = APP_SECRET) -> Any:
    raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    headers = {"Content-Type": "application/json", "X-Hub-Signature-256": sign(raw, secret)}
    return carrier.client.post("/webhooks/whatsapp", content=raw, headers=headers)


def expected_parts(payload: Any) -> int:
    """How many distinct parts a notification holds (a part repeated in one POST is one),
    counted independently of the application."""
    if not isinstance(payload, dict) or payload.get("object") != "whatsapp_business_account":
        return 1
    found: set[str] = set()
    for entry in payload.get("entry") or []:
        for change in entry.get("changes") or []:
            value = change.get("value") or {}
            keys = ("messages", "statuses", "errors", "user_preferences")
            items = [item for key in keys for item in value.get(key) or []]
            for item in items or [value]:
                found.add(json.dumps(item, sort_keys=True))
    return len(found)


def twilio_form(pairs: list[list[str]], *, status: bool = False) -> dict[str, str]:
    """A Twilio fixture's form for the test account and line."""
    form = {name: value for name, value in pairs}
    form["AccountSid"] = ACCOUNT_SID
    form["From" if status else "To"] = LINE
    return form


def part_count(carrier: Carrier, kind: str | None = None) -> int:
    query = select(func.count()).select_from(carrier_parts)
    if kind is not None:
        query = query.where(carrier_parts.c.kind == kind)
    with carrier.api.engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


def parts(carrier: Carrier) -> list[Any]:
    with carrier.api.engine.connect() as conn:
        return list(conn.execute(select(carrier_parts).order_by(carrier_parts.c.id)))


def stored_messages(carrier: Carrier) -> list[Any]:
    with carrier.api.engine.connect() as conn:
        return list(conn.execute(select(messages).order_by(messages.c.id)))
