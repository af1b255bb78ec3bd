"""A sign-in half done: the password was right, the second factor is still to come.

Kept in the session under its own keys, never under the signed-in user's key, so no page
but the second step's own treats the visitor as signed in. It lapses after ``LIFETIME``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from fastapi import Request

LIFETIME = timedelta(minutes=10)
_USER, _STEP, _NEXT, _SINCE = "pending_user", "pending_step", "pending_next", "pending_since"


@dataclass(frozen=True)
class Pending:
    user_id: int
    step: str
    """``verify`` (type a code) or ``enrol`` (set TOTP up, the organization requires it)."""
    next: str


def begin(request: Request, user_id: int, step: str, next_path: str, now: datetime) -> None:
    request.session.clear()
    request.session.update({_USER: user_id, _STEP: step, _NEXT: next_path, _SINCE: now.isoformat()})


def current(request: Request, now: datetime) -> Pending | None:
    session = request.session
    user_id, since = session.get(_USER), session.get(_SINCE)
    if not isinstance(user_id, int) or not isinstance(since, str):
        return None
    if now - datetime.fromisoformat(since) > LIFETIME:
        end(request)
        return None
    return Pending(user_id, str(session.get(_STEP)), str(session.get(_NEXT) or "/"))


def end(request: Request) -> None:
    for key in (_USER, _STEP, _NEXT, _SINCE):
        request.session.pop(key, None)
