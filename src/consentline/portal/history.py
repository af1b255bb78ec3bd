"""Setup > Settings history: who changed which setting, when, from what to what, in words.

Each change reads as a sentence: the setting's plain name, the old and the new value as a
person says them ("On", "7 days", "SMS Opt-in with Consent"), and for texts a word-level
diff that strikes what was removed and marks what was added.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from typing import Any

from fastapi import Response

from consentline.domain import labels
from consentline.portal.web import PageDep, portal_router
from consentline.service import settings as settings_service
from consentline.service.settings import SettingChange

router = portal_router()
DURATIONS = ("hold_max_age", "request_resend_interval")
_TOKENS = re.compile(r"\s+|[^\s]+")


@dataclass(frozen=True)
class Piece:
    """A run of a text diff: ``same``, ``removed`` or ``added``."""

    kind: str
    text: str


def word_diff(old: str, new: str) -> list[Piece]:
    """The new text against the old, word by word (whitespace kept as it was)."""
    before, after = _TOKENS.findall(old), _TOKENS.findall(new)
    pieces: list[Piece] = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            pieces.append(Piece("same", "".join(before[a1:a2])))
            continue
        if a2 > a1:
            pieces.append(Piece("removed", "".join(before[a1:a2])))
        if b2 > b1:
            pieces.append(Piece("added", "".join(after[b1:b2])))
    return pieces


def duration(seconds: int) -> str:
    """``604800`` → "7 days"; ``5400`` → "1 hour 30 minutes"."""
    parts = []
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute"), (1, "second")):
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count} {unit}{'' if count == 1 else 's'}")
    return " ".join(parts) or "0 seconds"


def shown(value: Any, setting: str = "") -> str:
    """A setting's value as a person reads it."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "On" if value else "Off"
    if setting == "sms_optin.mode" and isinstance(value, str):
        return labels.mode(value)
    if setting in DURATIONS and isinstance(value, int):
        return duration(value)
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return ", ".join(str(each) for each in value) or "(none)"
    return json.dumps(value, ensure_ascii=False)


def actor(name: str) -> str:
    """``user:3:ann@example.com`` → ``ann@example.com``; API keys and the system as they are."""
    kind, _, rest = name.partition(":")
    if kind == "user":
        return rest.partition(":")[2] or name
    if kind == "system":
        return "ConsentLine (system)"
    if kind == "api-key":
        return f"API key “{rest.partition(':')[2] or rest}”"
    return name


def change_row(change: SettingChange) -> dict[str, Any]:
    setting, old, new = change.setting, change.old_value, change.new_value
    row: dict[str, Any] = {
        "changed_at": change.changed_at,
        "actor": actor(change.actor),
        "setting": setting,
        "name": labels.setting(setting),
        "old": shown(old, setting),
        "new": shown(new, setting),
        "diff": None,
        "added": [],
        "removed": [],
    }
    if isinstance(old, str) and isinstance(new, str) and setting.startswith("templates."):
        row["diff"] = word_diff(old, new)
    elif isinstance(old, list) and isinstance(new, list):
        row["added"] = [each for each in new if each not in old]
        row["removed"] = [each for each in old if each not in new]
    return row


@router.get("/setup/history")
def settings_history(page: PageDep) -> Response:
    changes = settings_service.settings_history(page.uow, page.principal, page.picked.id)
    rows = [change_row(change) for change in reversed(changes)]
    return page.render("setup/history.html", rows=rows, root=page.root)
