"""Setup > Settings history: who changed which setting, when, from what to what."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Response

from consentline.portal.web import PageDep, portal_router
from consentline.service import settings as settings_service

router = portal_router()


def shown(value: Any) -> str:
    """A setting's value as a person reads it."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def actor(name: str) -> str:
    """``user:3:ann@example.com`` → ``ann@example.com``; API keys and the system as they are."""
    kind, _, rest = name.partition(":")
    if kind == "user":
        return rest.partition(":")[2] or name
    return name


@router.get("/setup/history")
def settings_history(page: PageDep) -> Response:
    changes = settings_service.settings_history(page.uow, page.principal, page.picked.id)
    rows = [
        {
            "changed_at": change["changed_at"],
            "actor": actor(change["actor"]),
            "setting": change["setting"],
            "old": shown(change["old_value"]),
            "new": shown(change["new_value"]),
        }
        for change in reversed(changes)
    ]
    return page.render("setup/history.html", rows=rows, root=page.root)
