"""CSRF tokens: one random token per session, sent back with every form and htmx request."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import MutableMapping
from typing import Any

from fastapi import Request

from consentline.domain.errors import Forbidden

SESSION_KEY = "csrf"
FORM_FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class CsrfRefused(Forbidden):
    code = "csrf_refused"


def new_token() -> str:
    return secrets.token_urlsafe(32)


def session_token(session: MutableMapping[str, Any]) -> str:
    """The session's token, made on first use."""
    token = session.get(SESSION_KEY)
    if not isinstance(token, str) or not token:
        token = new_token()
        session[SESSION_KEY] = token
    return token


def tokens_match(expected: object, given: object) -> bool:
    if not isinstance(expected, str) or not isinstance(given, str) or not expected:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())


async def check_csrf(request: Request) -> None:
    """A router dependency: every unsafe request must carry the session's token."""
    if request.method in SAFE_METHODS:
        return
    given = request.headers.get(HEADER)
    if given is None:
        form = await request.form()
        value = form.get(FORM_FIELD)
        given = value if isinstance(value, str) else None
    if not tokens_match(request.session.get(SESSION_KEY), given):
        raise CsrfRefused(
            "This form has expired or did not come from this site. Reload the page and try again."
        )
