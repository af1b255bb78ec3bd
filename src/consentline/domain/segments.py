"""How many SMS segments a text takes (GSM 03.38 / 3GPP TS 23.038).

A text made only of GSM-7 characters is sent 7 bits a character: 160 in one segment, 153 a
segment when it is split (the rest carries the concatenation header). The extension table's
characters (``^{}\\[~]|€`` and form feed) take an escape plus the character: two units each.
Any other character sends the whole text as UCS-2: 70 units in one segment, 67 when split,
where a character outside the Basic Multilingual Plane (most emoji) takes two units.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")

SINGLE = {"gsm7": 160, "ucs2": 70}
SPLIT = {"gsm7": 153, "ucs2": 67}


class Encoding(StrEnum):
    GSM7 = "gsm7"
    UCS2 = "ucs2"


@dataclass(frozen=True)
class SegmentCount:
    characters: int
    """Characters as a person counts them (code points)."""
    units: int
    """Septets (GSM-7) or 16-bit code units (UCS-2) the text takes."""
    encoding: Encoding
    segments: int

    @property
    def per_segment(self) -> int:
        table = SINGLE if self.segments <= 1 else SPLIT
        return table[self.encoding.value]


def encoding_of(text: str) -> Encoding:
    allowed = GSM7_BASIC | GSM7_EXTENSION
    return Encoding.GSM7 if all(char in allowed for char in text) else Encoding.UCS2


def count_units(text: str, encoding: Encoding) -> int:
    if encoding is Encoding.GSM7:
        return sum(2 if char in GSM7_EXTENSION else 1 for char in text)
    return len(text.encode("utf-16-le")) // 2


def count_segments(text: str) -> SegmentCount:
    """Characters, units, encoding and segments of one SMS text (0 segments when empty)."""
    encoding = encoding_of(text)
    units = count_units(text, encoding)
    if units == 0:
        segments = 0
    elif units <= SINGLE[encoding.value]:
        segments = 1
    else:
        split = SPLIT[encoding.value]
        segments = -(-units // split)
    return SegmentCount(len(text), units, encoding, segments)
