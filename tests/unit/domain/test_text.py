"""Text every field may hold, and what single-line fields refuse."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from consentline.domain.errors import InvalidInput
from consentline.domain.text import one_line, refusal, storable


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("a\x00b", "NUL"),
        ("\ud800", "surrogate"),
        ("x\udfffy", "surrogate"),
        ("\ufdd0", "U+FDD0"),
        ("\uffff", "U+FFFF"),
        ("\U0010fffe", "U+10FFFE"),
    ],
)
def test_unstorable_text_is_refused_naming_the_field(text: str, why: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        storable(text, "body")
    assert raised.value.message.startswith("body ")
    assert why in raised.value.message


@pytest.mark.parametrize("text", ["Ada\nLovelace", "Ada\r", "tab\there", "bell\x07", "a\u2028b"])
def test_single_line_fields_refuse_line_breaks_and_controls(text: str) -> None:
    assert storable(text, "body") == text or "\x07" in text or "\u2028" in text
    with pytest.raises(InvalidInput, match="one line"):
        one_line(text, "employee_name")


def test_ordinary_text_passes() -> None:
    for text in ["Zoë Ångström", "日本語", "emoji 👋", "Line one\nline two", ""]:
        assert storable(text, "body") == text


@given(st.text())
def test_what_passes_can_be_encoded_as_utf8_without_nul(text: str) -> None:
    if refusal(text) is None:
        assert "\x00" not in text.encode("utf-8").decode()
