"""SMS segment counting: GSM-7 160/153, UCS-2 70/67, extension characters count double."""

from __future__ import annotations

import pytest

from consentline.domain.segments import Encoding, count_segments


@pytest.mark.parametrize(
    ("text", "segments"),
    [("", 0), ("a", 1), ("a" * 160, 1), ("a" * 161, 2), ("a" * 306, 2), ("a" * 307, 3)],
)
def test_gsm7_fits_160_in_one_segment_and_153_a_part_when_split(text: str, segments: int) -> None:
    count = count_segments(text)
    assert count.encoding is Encoding.GSM7
    assert (count.characters, count.units, count.segments) == (len(text), len(text), segments)


def test_extension_characters_take_two_units() -> None:
    count = count_segments("{}" + "a" * 156)
    assert count.encoding is Encoding.GSM7
    assert (count.characters, count.units, count.segments) == (158, 160, 1)
    assert count_segments("€" + "a" * 159).segments == 2


@pytest.mark.parametrize(
    ("text", "units", "segments"),
    [("é" * 160, 160, 1), ("ç" * 71, 71, 2), ("ć" * 70, 70, 1), ("ć" * 71, 71, 2)],
)
def test_a_character_outside_gsm7_makes_the_text_ucs2(text: str, units: int, segments: int) -> None:
    # "é" is in GSM-7's basic table; lowercase "ç" is not (only "Ç" is), nor is "ć".
    count = count_segments(text)
    assert count.units == units
    assert count.segments == segments


def test_ucs2_splits_at_67_units() -> None:
    assert count_segments("ć" * 134).segments == 2
    assert count_segments("ć" * 135).segments == 3


def test_an_emoji_takes_two_ucs2_units() -> None:
    count = count_segments("Hi 👋")
    assert count.encoding is Encoding.UCS2
    assert (count.characters, count.units) == (4, 5)


def test_default_request_template_fits_in_two_gsm7_segments() -> None:
    text = (
        "[Auto Message] You are trying to reach Dana Whitfield. As per company policy, you must "
        "provide your consent in order for your message to be delivered. To opt in, reply YES. "
        "To opt out, reply STOP."
    )
    count = count_segments(text)
    assert count.encoding is Encoding.GSM7
    assert count.segments == 2
    assert count.per_segment == 153
