"""Text we can store and show: what every field refuses, and what single-line fields refuse.

PostgreSQL's text cannot hold NUL; a lone surrogate cannot be encoded as UTF-8 by either
database; Unicode's non-characters are reserved for a program's internal use and have no
business in a message. Single-line fields (names, numbers, ids) also refuse line breaks and
other control characters: they end up in e-mail headers, CSV cells and log lines.
"""

from __future__ import annotations

import unicodedata

from consentline.domain.errors import InvalidInput

# Line and paragraph separators that are not control characters (category Zl, Zp).
_LINE_BREAKS = {"\u2028", "\u2029"}


def refusal(text: str, *, single_line: bool = False) -> str | None:
    """Why ``text`` cannot be stored (as one line), or None when it can."""
    for character in text:
        code = ord(character)
        if code == 0:
            return "contains a NUL character"
        if 0xD800 <= code <= 0xDFFF:
            return "contains a lone surrogate (not valid Unicode)"
        if 0xFDD0 <= code <= 0xFDEF or code & 0xFFFE == 0xFFFE:
            return f"contains the non-character U+{code:04X}"
        if single_line and (unicodedata.category(character) == "Cc" or character in _LINE_BREAKS):
            return f"must be one line, without control characters (found U+{code:04X})"
    return None


def storable(text: str, field: str) -> str:
    """``text``, or ``InvalidInput`` naming the field."""
    reason = refusal(text)
    if reason:
        raise InvalidInput(f"{field} {reason}.", code="invalid_text")
    return text


def one_line(text: str, field: str) -> str:
    """``text`` when it is storable and one line, or ``InvalidInput`` naming the field."""
    reason = refusal(text, single_line=True)
    if reason:
        raise InvalidInput(f"{field} {reason}.", code="invalid_text")
    return text
