"""Logs never show a whole phone number: runs of digits that look like one are masked."""

from __future__ import annotations

import logging
import re

# A phone number in a log line: optional + (or its URL form %2B), then 7 to 15 digits.
_PHONE = re.compile(r"(?:\+|%2B)?(\d{5,13})(\d{2})(?!\d)", re.IGNORECASE)


# The token of a one-time password reset link, which is part of the link's path.
_RESET_TOKEN = re.compile(r"(/reset-password/)[^/?#\s]+")


def mask_secret_paths(path: str) -> str:
    """A request path as the access log may show it: a reset link's token left out."""
    return _RESET_TOKEN.sub(r"\1[redacted]", path)


def mask_phone_numbers(text: str) -> str:
    return _PHONE.sub(lambda m: "+" + "*" * len(m.group(1)) + m.group(2), text)


class PhoneNumberRedactor(logging.Filter):
    """Rewrites each record's message with phone numbers masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_phone_numbers(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True
