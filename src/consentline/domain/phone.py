"""Phone numbers: accepted in common formats, kept as E.164; and the contact ids carriers
write, mapped to one contact whichever form arrives.

Some countries' numbers appear in more than one form for the same person:

- Mexico: WhatsApp writes mobiles as ``521`` + 10 digits, the dialling form before 2019;
  the number is ``+52`` + 10 digits (``phonenumbers`` calls the long form too long).
- Brazil: older WhatsApp ids lack the mobile ``9`` (``55`` + area + 8 digits); since 2016
  every mobile has 9 digits, so an 8-digit subscriber number starting 6-9 gains its ``9``.
- Argentina: a mobile is ``+54 9`` + area + number in international form, which is how
  WhatsApp writes it; on WhatsApp (mobiles only) a number written without the ``9`` gets it.

A WhatsApp user may also be known only by a business-scoped user id (``US.1349…``): such a
contact is keyed by that id, never by a made-up number.
"""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers

from consentline.domain.errors import InvalidInput

# NUL and lone surrogates: JSON can carry them, PostgreSQL text cannot.
_UNSTORABLE = re.compile("[\\x00\\ud800-\\udfff]")
# Meta's business-scoped user ids: a country code, a period (``ENT.`` for a parent id), then
# up to 128 letters and digits.
_USER_ID = re.compile(r"^[A-Z]{2}\.(?:ENT\.)?[A-Za-z0-9]{1,128}$")


def to_e164(raw: str, default_region: str = "US") -> str:
    """The E.164 form of a number written as people write them, or a clear error."""
    return _to_e164(raw if isinstance(raw, str) else "", default_region)


def contact_id(raw: str, default_region: str = "US", *, whatsapp: bool = False) -> str:
    """How a contact is keyed: its E.164 number, or on WhatsApp a business-scoped user id.

    On WhatsApp an Argentine number written without the mobile ``9`` gets it, because
    WhatsApp numbers are mobiles and WhatsApp writes them with it."""
    text = raw.strip() if isinstance(raw, str) else ""
    if whatsapp and is_user_id(text):
        return text
    number = to_e164(text, default_region)
    if whatsapp and number.startswith("+54") and len(number) == 13 and number[3] != "9":
        return "+549" + number[3:]
    return number


def is_user_id(text: str) -> bool:
    """Whether ``text`` is a WhatsApp business-scoped user id rather than a number."""
    return bool(_USER_ID.match(text))


def whatsapp_contact(wa_id: str | None, user_id: str | None, region: str = "US") -> str:
    """The contact a WhatsApp notification names: its number (``wa_id``, digits without
    ``+``) when it has a usable one, else its business-scoped user id (which newer
    notifications may also carry in ``from``)."""
    wa = str(wa_id).strip() if wa_id else ""
    user = str(user_id).strip() if user_id else ""
    if wa and not is_user_id(wa):
        try:
            return contact_id(wa if wa.startswith("+") else "+" + wa, region, whatsapp=True)
        except InvalidInput:
            if not is_user_id(user):
                raise
    for candidate in (wa, user):
        if is_user_id(candidate):
            return candidate
    raise InvalidInput("The notification names no sender.", code="invalid_phone_number")


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
    parsed = _canonical(parsed)
    # A number dialable only locally (555-0199 without an area code) is not a number we
    # could text: refusing it beats storing a made-up E.164 value.
    reason = phonenumbers.is_possible_number_with_reason(parsed)
    if reason != phonenumbers.ValidationResult.IS_POSSIBLE:
        raise InvalidInput(
            f"{raw!r} is not a complete phone number for its country; "
            "write it with its country and area code, like +15551234567.",
            code="invalid_phone_number",
        )
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _canonical(parsed: phonenumbers.PhoneNumber) -> phonenumbers.PhoneNumber:
    national = str(parsed.national_number)
    if parsed.country_code == 52 and len(national) == 11 and national.startswith("1"):
        return phonenumbers.PhoneNumber(country_code=52, national_number=int(national[1:]))
    if parsed.country_code == 55 and len(national) == 10 and national[2] in "6789":
        return phonenumbers.PhoneNumber(
            country_code=55, national_number=int(national[:2] + "9" + national[2:])
        )
    return parsed


def clean_text(text: str) -> str:
    """Text as a database can store it: NUL and lone surrogates (which JSON can carry and
    PostgreSQL cannot) become U+FFFD; the raw payload keeps the original."""
    return _UNSTORABLE.sub("\ufffd", text)


def mask(number: str) -> str:
    """A number as it may appear in logs: only the last two digits shown."""
    digits = [c for c in number if c.isdigit()]
    if len(digits) <= 2:
        return "*" * len(digits)
    return "+" + "*" * (len(digits) - 2) + "".join(digits[-2:])
