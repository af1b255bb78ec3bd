"""Phone numbers: accepted in common formats, kept as E.164."""

from __future__ import annotations

from functools import lru_cache

import phonenumbers

from consentline.domain.errors import InvalidInput


def to_e164(raw: str, default_region: str = "US") -> str:
    """The E.164 form of a number written as people write them, or a clear error."""
    return _to_e164(raw if isinstance(raw, str) else "", default_region)


@lru_cache(maxsize=4096)  # pure, and parsing costs more than deciding on a message
def _to_e164(raw: str, default_region: str) -> str:
    text = raw.strip()
    if not text:
        raise InvalidInput("A phone number is required.", code="invalid_phone_number")
    try:
        parsed = phonenumbers.parse(text, default_region)
    except phonenumbers.NumberParseException:
        raise InvalidInput(
            f"{raw!r} is not a phone number; write it like +15551234567.",
            code="invalid_phone_number",
        ) from None
    if not phonenumbers.is_possible_number(parsed):
        raise InvalidInput(
            f"{raw!r} is not a possible phone number for its country.",
            code="invalid_phone_number",
        )
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def mask(number: str) -> str:
    """A number as it may appear in logs: only the last two digits shown."""
    digits = [c for c in number if c.isdigit()]
    if len(digits) <= 2:
        return "*" * len(digits)
    return "+" + "*" * (len(digits) - 2) + "".join(digits[-2:])
