"""Keyword matching for the contact's messages (SPEC §3).

The whole message is compared, case-insensitively, after dropping surrounding
whitespace, punctuation and emoji, reading inner ``-``, ``_`` and ``.`` as spaces and
collapsing inner whitespace. So ``" Yes! "``, ``"opt-out"`` and ``"Stop-All"`` match while
``"yes please"`` does not.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

_INNER_SEPARATORS = re.compile(r"[-_.\s]+")


ALWAYS_OPT_OUT = ("STOP",)


class KeywordKind(StrEnum):
    OPT_IN = "opt_in"
    OPT_OUT = "opt_out"
    HELP = "help"


def _is_word_character(char: str) -> bool:
    return unicodedata.category(char)[0] in ("L", "N")


def normalize(text: str) -> str:
    """The comparable form of a message or keyword: trimmed, separators folded, casefolded."""
    start, end = 0, len(text)
    while start < end and not _is_word_character(text[start]):
        start += 1
    while end > start and not _is_word_character(text[end - 1]):
        end -= 1
    return _INNER_SEPARATORS.sub(" ", text[start:end]).casefold()


@dataclass(frozen=True)
class Keywords:
    """One language's opt-in, opt-out and help words, as configured (display form)."""

    opt_in: str = "YES"
    opt_out: str = "STOP"
    opt_in_synonyms: tuple[str, ...] = ("START", "UNSTOP")
    opt_out_synonyms: tuple[str, ...] = (
        "STOPALL",
        "STOP ALL",
        "UNSUBSCRIBE",
        "CANCEL",
        "END",
        "QUIT",
        "REVOKE",
        "OPTOUT",
        "OPT OUT",
    )
    help: str = "HELP"
    help_synonyms: tuple[str, ...] = ("INFO",)

    def all_words(self) -> tuple[str, ...]:
        """Every configured word, as written."""
        return (
            self.opt_in,
            self.opt_out,
            self.help,
            *self.opt_in_synonyms,
            *self.opt_out_synonyms,
            *self.help_synonyms,
        )

    def help_words(self) -> frozenset[str]:
        return _normalized_set([self.help, *self.help_synonyms])

    def opt_in_words(self) -> frozenset[str]:
        return _normalized_set([self.opt_in, *self.opt_in_synonyms])

    def opt_out_words(self) -> frozenset[str]:
        # STOP is honored whatever the configured word: carriers and regulators expect it.
        return _normalized_set([self.opt_out, *self.opt_out_synonyms, *ALWAYS_OPT_OUT])

    def kind_of(self, word: str) -> KeywordKind | None:
        """The kind of a normalized word among the configured words only (STOP aside)."""
        if word in _normalized_set([self.opt_out, *self.opt_out_synonyms]):
            return KeywordKind.OPT_OUT
        if word in self.opt_in_words():
            return KeywordKind.OPT_IN
        if word in self.help_words():
            return KeywordKind.HELP
        return None

    def classify(self, body: str) -> KeywordKind | None:
        """Which keyword, if any, the whole message is."""
        word = normalize(body)
        if not word:
            return None
        # Opt-out wins: validation keeps the sets apart, and stopping is the safe reading.
        if word in self.opt_out_words():
            return KeywordKind.OPT_OUT
        if word in self.opt_in_words():
            return KeywordKind.OPT_IN
        if word in self.help_words():
            return KeywordKind.HELP
        return None

    def words_by_kind(self) -> dict[KeywordKind, frozenset[str]]:
        return {
            KeywordKind.OPT_IN: self.opt_in_words(),
            KeywordKind.OPT_OUT: self.opt_out_words(),
            KeywordKind.HELP: self.help_words(),
        }

    def conflicts(self) -> frozenset[str]:
        """Words with two meanings: opt-in, opt-out or help at once (normalized form)."""
        opt_in, opt_out, help_ = self.opt_in_words(), self.opt_out_words(), self.help_words()
        return (opt_in & opt_out) | (opt_in & help_) | (opt_out & help_)


def _normalized_set(words: Iterable[str]) -> frozenset[str]:
    return frozenset(normalized for normalized in map(normalize, words) if normalized)
