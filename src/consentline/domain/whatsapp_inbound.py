"""A WhatsApp Cloud API notification read into parts, each handled on its own. Pure.

Every message, status, preference change and unknown change becomes one ``Part``; nothing
in a notification is skipped and no part can make the others fail. Each message type
becomes the text the employee sees (``body``); what has no text of its own is described in
brackets, so that it can never match an opt-in or opt-out keyword by accident.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field as default
from typing import Any

from consentline.domain.phone import clean_text

CANNOT_DISPLAY = "A message ConsentLine cannot display"
MEDIA_LABELS = {
    "image": "Image",
    "video": "Video",
    "audio": "Audio",
    "document": "Document",
    "sticker": "Sticker",
    "voice": "Voice message",  # the On-Premises API's type for a voice note
}


@dataclass(frozen=True)
class Part:
    """One part of a notification. ``kind`` is ``message``, ``system``, ``status``,
    ``preference`` or ``other``; ``part_type`` the WhatsApp type, status or value."""

    kind: str
    part_type: str
    raw: Any
    field: str = "messages"
    provider_message_id: str | None = None
    wa_id: str | None = None
    user_id: str | None = None
    body: str = ""
    media_id: str | None = None
    error_code: str | None = None
    readable: bool = True

    @property
    def key(self) -> str:
        """The part's identity for retries: a hash of what was received."""
        return hashlib.sha256(raw_json({"f": self.field, "p": self.raw}).encode()).hexdigest()


@dataclass(frozen=True)
class Change:
    """One ``entry[].changes[]`` item: the business number it is for, and its parts."""

    field: str
    phone_number_id: str | None
    parts: list[Part] = default(default_factory=list)


def raw_json(value: Any) -> str:
    """JSON with every non-ASCII character escaped: NUL and lone surrogates survive in any
    database, and the original text can be read back exactly."""
    return json.dumps(value, ensure_ascii=True, sort_keys=True, separators=(",", ":"))


def read_notification(payload: Any) -> list[Change]:
    """The changes of a notification; a shape it does not know is one ``other`` part."""
    if not isinstance(payload, dict) or payload.get("object") != "whatsapp_business_account":
        return [Change("unknown", None, [Part("other", "not_whatsapp", payload, "unknown")])]
    changes: list[Change] = []
    for entry in _dicts(payload.get("entry")):
        for change in _dicts(entry.get("changes")):
            changes.append(_change(change))
    return changes


def _change(change: dict[str, Any]) -> Change:
    name = str(change.get("field") or "unknown")
    value = change.get("value")
    if not isinstance(value, dict):
        return Change(name, None, [Part("other", name, change, name)])
    metadata = value.get("metadata")
    number_id = metadata.get("phone_number_id") if isinstance(metadata, dict) else None
    phone_number_id = str(number_id) if number_id else None
    parts: list[Part] = []
    if name == "messages":
        parts += [_message(m) for m in _dicts(value.get("messages"))]
        parts += [_status(s) for s in _dicts(value.get("statuses"))]
        for error in _dicts(value.get("errors")):
            parts.append(Part("other", "error", error, name, error_code=_code(error)))
    elif name == "user_preferences":
        parts += [_preference(p) for p in _dicts(value.get("user_preferences"))]
    if not parts:
        parts.append(Part("other", name, value, name))
    return Change(name, phone_number_id, parts)


def _message(message: dict[str, Any]) -> Part:
    kind = clean_text(_text(message.get("type"))) or "unknown"
    body, media_id, readable = describe(message)
    return Part(
        "system" if kind == "system" else "message",
        kind,
        message,
        provider_message_id=_id(message.get("id")),
        wa_id=_text(message.get("from")) or None,
        user_id=_text(message.get("from_user_id")) or None,
        body=clean_text(body),
        media_id=media_id,
        error_code=_first_error(message),
        readable=readable,
    )


def _status(status: dict[str, Any]) -> Part:
    return Part(
        "status",
        clean_text(_text(status.get("status")))[:30] or "unknown",
        status,
        provider_message_id=_id(status.get("id")),
        wa_id=_text(status.get("recipient_id")) or None,
        user_id=_text(status.get("recipient_user_id")) or None,
        error_code=_first_error(status),
    )


def _preference(preference: dict[str, Any]) -> Part:
    value = clean_text(_text(preference.get("value"))) or "unknown"
    detail = _text(preference.get("detail"))
    return Part(
        "preference",
        value,
        preference,
        "user_preferences",
        wa_id=_text(preference.get("wa_id")) or None,
        user_id=_text(preference.get("user_id")) or None,
        body=clean_text(
            f"[WhatsApp] Marketing messages: {value}" + (f" ({detail})" if detail else "")
        ),
    )


def describe(message: Mapping[str, Any]) -> tuple[str, str | None, bool]:
    """What the employee sees of a message, its media id, and whether it could be read."""
    kind = str(message.get("type") or "")
    content = message.get(kind)
    content = content if isinstance(content, dict) else {}
    text: str | None = None
    media_id = _id(content.get("id")) if kind in MEDIA_LABELS else None
    if message.get("errors") and kind in ("unsupported", "unknown", ""):
        text = None
    elif kind == "text":
        body = content.get("body")
        text = body if isinstance(body, str) and body.strip() else None
    elif kind == "button":
        text = _text(content.get("text")) or _text(content.get("payload")) or None
    elif kind == "interactive":
        text = _interactive(content)
    elif kind in MEDIA_LABELS:
        text = _media(kind, content)
    elif kind == "location":
        text = _location(content)
    elif kind == "contacts":
        text = _contacts(message.get("contacts"))
    elif kind == "reaction":
        emoji = _text(content.get("emoji"))
        text = f"[Reaction {emoji} to an earlier message]" if emoji else "[Reaction removed]"
    elif kind == "order":
        text = _order(content)
    elif kind == "system":
        text = "[WhatsApp] " + (
            _text(content.get("body")) or _text(content.get("type")) or "notice"
        )
    if text is None:
        return _cannot_display(kind, message), media_id, False
    return _decorated(text, message), media_id, True


def _decorated(text: str, message: Mapping[str, Any]) -> str:
    """A forwarded message is not the contact's own words (a forwarded "YES" is no consent);
    an ad's referral is shown after the text."""
    context = message.get("context")
    if isinstance(context, dict) and (
        context.get("forwarded") or context.get("frequently_forwarded")
    ):
        text = "[Forwarded] " + text
    referral = message.get("referral")
    if isinstance(referral, dict):
        about = _text(referral.get("headline")) or _text(referral.get("source_url")) or "an ad"
        text += f"\n[Sent from the ad: {about}]"
    return text


def _interactive(content: Mapping[str, Any]) -> str | None:
    reply_type = _text(content.get("type"))
    reply = content.get(reply_type) if reply_type else None
    if not isinstance(reply, dict):
        reply = content.get("button_reply") or content.get("list_reply")
    if not isinstance(reply, dict):
        return None
    if reply_type == "nfm_reply":
        answer = _text(reply.get("response_json"))
        return f"[Form reply] {_text(reply.get('body')) or 'Sent'}: {answer}".rstrip(": ")
    return _text(reply.get("title")) or None


def _media(kind: str, content: Mapping[str, Any]) -> str:
    label = MEDIA_LABELS[kind]
    if kind == "audio" and content.get("voice") is True:
        label = "Voice message"
    if kind == "document" and content.get("filename"):
        label += f" {_text(content.get('filename'))}"
    caption = _text(content.get("caption"))
    return f"[{label}]" + (f" {caption}" if caption else "")


def _location(content: Mapping[str, Any]) -> str:
    place = ", ".join(t for t in (_text(content.get("name")), _text(content.get("address"))) if t)
    where = f"({_text(content.get('latitude'))}, {_text(content.get('longitude'))})"
    return f"[Location] {place} {where}" if place else f"[Location] {where}"


def _contacts(cards: Any) -> str | None:
    described = []
    for card in _dicts(cards):
        name = card.get("name")
        name = name if isinstance(name, dict) else {}
        who = _text(name.get("formatted_name")) or _text(name.get("first_name")) or "?"
        phones = [_text(p.get("phone")) for p in _dicts(card.get("phones")) if p.get("phone")]
        described.append(who + (": " + ", ".join(phones) if phones else ""))
    return "[Contact card] " + "; ".join(described) if described else None


def _order(content: Mapping[str, Any]) -> str:
    items = [
        f"{_text(i.get('product_retailer_id'))} x{_text(i.get('quantity'))}"
        f" ({_text(i.get('item_price'))} {_text(i.get('currency'))})"
        for i in _dicts(content.get("product_items"))
    ]
    text = f"[Order] {len(items)} item{'s' if len(items) != 1 else ''}"
    if items:
        text += ": " + "; ".join(items)
    note = _text(content.get("text"))
    return text + (f"\n{note}" if note else "")


def _cannot_display(kind: str, message: Mapping[str, Any]) -> str:
    text = f"[{CANNOT_DISPLAY}: {kind or 'no type'}]"
    for error in _dicts(message.get("errors")):
        title = _text(error.get("title")) or _text(error.get("message"))
        text += f" {title} ({_code(error)})" if title else f" (error {_code(error)})"
    return text


def _first_error(part: Mapping[str, Any]) -> str | None:
    errors = _dicts(part.get("errors"))
    return _code(errors[0]) if errors else None


def _code(error: Mapping[str, Any]) -> str:
    return clean_text(_text(error.get("code")))[:50] or "unknown"


def _id(value: Any) -> str | None:
    """A carrier's id as a database column can hold it."""
    return clean_text(_text(value))[:200] or None


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _text(value: Any) -> str:
    return "" if value is None or isinstance(value, (dict, list)) else str(value).strip()
