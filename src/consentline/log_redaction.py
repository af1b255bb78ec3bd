"""Logs never show a whole phone number, an email address, a key, a hash or a stored value.

Phone numbers are masked in every line. Exception text is scrubbed as well: database errors
quote the values they refused (PostgreSQL's ``DETAIL: Key (number)=(+15550001001) already
exists``), and tracebacks of any library may carry emails, API keys or password hashes.
"""

from __future__ import annotations

import logging
import re
import traceback

# A phone number in a log line: optional + (or its URL form %2B), then 7 to 15 digits.
_PHONE = re.compile(r"(?:\+|%2B)?(\d{5,13})(\d{2})(?!\d)", re.IGNORECASE)
_SCRUBBED = (
    # The values PostgreSQL quotes after the error (DETAIL), and SQLAlchemy's parameters
    # (hidden by the engines already; a second guard).
    (re.compile(r"^(\s*)(DETAIL|HINT|CONTEXT|WHERE):.*$", re.MULTILINE), r"\1\2: [scrubbed]"),
    (re.compile(r"\[parameters: .*?\]$", re.MULTILINE | re.DOTALL), "[parameters: scrubbed]"),
    (re.compile(r"\$argon2[a-z]*\$[^\s'\"]+"), "[password hash]"),
    (re.compile(r"\bcl_[A-Za-z0-9_-]{16,}"), "cl_[key]"),
    (re.compile(r"\b[0-9a-fA-F]{32,}\b"), "[hex]"),
    (re.compile(r"[^\s@'\"<>(),;:]+@[^\s@'\"<>(),;:]+\.[A-Za-z]{2,}"), "[email]"),
)


# The token of a one-time password reset link, which is part of the link's path.
_RESET_TOKEN = re.compile(r"(/reset-password/)[^/?#\s]+")


def mask_secret_paths(path: str) -> str:
    """A request path as the access log may show it: a reset link's token left out."""
    return _RESET_TOKEN.sub(r"\1[redacted]", path)


def mask_phone_numbers(text: str) -> str:
    return _PHONE.sub(lambda m: "+" + "*" * len(m.group(1)) + m.group(2), text)


def scrub(text: str) -> str:
    """Exception text fit for a log: quoted values, keys, hashes, emails, numbers removed."""
    for pattern, replacement in _SCRUBBED:
        text = pattern.sub(replacement, text)
    return mask_phone_numbers(text)


class PhoneNumberRedactor(logging.Filter):
    """Rewrites each record's message with phone numbers masked, and its exception text
    scrubbed (formatters then print the scrubbed ``exc_text``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_phone_numbers(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = scrub("".join(traceback.format_exception(*record.exc_info)))
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        return True
