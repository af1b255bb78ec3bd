"""Whether a new password is strong enough, and if not, why not (shown to the person)."""

from __future__ import annotations

MIN_LENGTH = 10
MAX_LENGTH = 1000
MIN_DISTINCT = 5
# Passwords of ten characters or more that lists of leaked passwords put at the top.
COMMON = frozenset(
    {
        "1234567890",
        "0123456789",
        "12345678910",
        "1q2w3e4r5t",
        "qwertyuiop",
        "password12",
        "password123",
        "password1234",
        "passw0rd123",
        "iloveyou123",
        "abcdefghij",
        "qwerty1234",
        "qwerty12345",
        "1qaz2wsx3edc",
        "letmein123",
        "welcome123",
        "changeme123",
        "administrator",
        "consentline",
        "consentline1",
    }
)


def weakness(password: str, *, email: str = "", name: str = "") -> str | None:
    """The reason a password is refused, or None when it will do."""
    if len(password) < MIN_LENGTH:
        return f"The password must be at least {MIN_LENGTH} characters."
    if len(password) > MAX_LENGTH:
        return f"The password must be at most {MAX_LENGTH} characters."
    lowered = password.lower()
    if lowered in COMMON:
        return "This password is one of the most common ones; choose another."
    if len(set(lowered)) < MIN_DISTINCT:
        return f"The password must use at least {MIN_DISTINCT} different characters."
    local = email.strip().lower().partition("@")[0]
    if len(local) >= 4 and local in lowered:
        return "The password must not contain your email address."
    if len(name.strip()) >= 4 and name.strip().lower() in lowered:
        return "The password must not contain your name."
    return None
