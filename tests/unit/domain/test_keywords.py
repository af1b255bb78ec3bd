"""SPEC §3 keyword matching and SPEC §2 keyword settings: ``normalize`` and ``classify``."""

from __future__ import annotations

import pytest

from consentline.domain.keywords import KeywordKind, Keywords, normalize

DEFAULT = Keywords()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("yes", "yes"),
        (" Yes! ", "yes"),
        ("STOP.", "stop"),
        ("opt  out", "opt out"),
        ("opt-out", "opt out"),
        ("Stop-All", "stop all"),
        ("opt_out", "opt out"),
        ("opt.out", "opt out"),
        ("opt - _ . out", "opt out"),
        ("\t STOP \n", "stop"),
        ("👍 yes 👍🏽", "yes"),
        ("❤️Yes❤️", "yes"),
        ("¡¿yes?!", "yes"),
        ('"yes"', "yes"),
        ("(STOP)", "stop"),
        ("yes please", "yes please"),
        ("Yes, please", "yes, please"),
        ("", ""),
        ("   ", ""),
        ("!!!", ""),
        ("🙏🙏", ""),
    ],
)
def test_normalize_trims_folds_separators_and_case(text: str, expected: str) -> None:
    """§3: case-insensitive; surrounding whitespace, punctuation and emoji dropped."""
    assert normalize(text) == expected


@pytest.mark.parametrize("text", ["yes", " Yes! ", "YES", "yEs", "Yes.", "START", "unstop"])
def test_classify_default_opt_in_spellings(text: str) -> None:
    """§3: `yes` and ` Yes! ` match the opt-in word; START and UNSTOP are synonyms (§2)."""
    assert DEFAULT.classify(text) is KeywordKind.OPT_IN


@pytest.mark.parametrize(
    "text",
    [
        "STOP",
        "STOP.",
        "stop",
        "opt  out",
        "opt-out",
        "OPT OUT",
        "optout",
        "Stop-All",
        "STOP ALL",
        "stopall",
        "unsubscribe",
        "Cancel",
        "END",
        "quit",
        "revoke",
        "stop_all!",
    ],
)
def test_classify_default_opt_out_spellings(text: str) -> None:
    """§3: `STOP.`, `opt  out`, `opt-out`, `Stop-All` match; every §2 synonym opts out."""
    assert DEFAULT.classify(text) is KeywordKind.OPT_OUT


@pytest.mark.parametrize(
    "text",
    ["yes please", "please stop", "ye s", "yess", "stop now", "un stop", "", "!!!", "hello"],
)
def test_classify_ordinary_text_is_not_a_keyword(text: str) -> None:
    """§3: `yes please` and `please stop` are ordinary text; so is anything not a whole word."""
    assert DEFAULT.classify(text) is None


def test_changing_opt_in_replaces_yes() -> None:
    """§2: changing opt_in replaces YES (it no longer opts in unless listed as a synonym)."""
    keywords = Keywords(opt_in="JA")

    assert keywords.classify("YES") is None
    assert keywords.classify("ja") is KeywordKind.OPT_IN
    assert keywords.classify(" Ja! ") is KeywordKind.OPT_IN
    assert keywords.classify("start") is KeywordKind.OPT_IN


def test_changed_opt_in_with_yes_as_synonym_keeps_yes() -> None:
    """§2: a replaced YES still opts in when it is listed as a synonym."""
    keywords = Keywords(opt_in="JA", opt_in_synonyms=("YES",))

    assert keywords.classify("yes") is KeywordKind.OPT_IN
    assert keywords.classify("start") is None


def test_changing_opt_out_word_matches_the_new_word() -> None:
    """§2: the configured opt-out word matches in any §3 spelling."""
    keywords = Keywords(opt_out="HALT NOW")

    assert keywords.classify("halt-now!") is KeywordKind.OPT_OUT
    assert keywords.classify("Halt_Now") is KeywordKind.OPT_OUT
    assert keywords.classify("halt") is None


def test_configured_words_are_compared_in_normal_form() -> None:
    """§3: a keyword configured with punctuation or odd case matches its plain spelling."""
    keywords = Keywords(opt_in=" Sí! ", opt_out_synonyms=("Opt-Out",))

    assert keywords.opt_in_words() == frozenset({"sí", "start", "unstop"})
    assert keywords.classify("SÍ") is KeywordKind.OPT_IN
    assert keywords.classify("opt out") is KeywordKind.OPT_OUT


def test_default_words_are_the_spec_defaults() -> None:
    """§2: YES/START/UNSTOP opt in; STOP and the FCC/CTIA words opt out."""
    assert DEFAULT.opt_in_words() == frozenset({"yes", "start", "unstop"})
    assert DEFAULT.opt_out_words() == frozenset(
        {
            "stop",
            "stopall",
            "stop all",
            "unsubscribe",
            "cancel",
            "end",
            "quit",
            "revoke",
            "optout",
            "opt out",
        }
    )
    assert DEFAULT.conflicts() == frozenset()


def test_conflicts_names_words_in_both_sets() -> None:
    """§2: an opt-in word that is also an opt-out word is a conflict."""
    assert Keywords(opt_in="Stop!").conflicts() == frozenset({"stop"})
    assert Keywords(opt_in_synonyms=("opt-out", "end")).conflicts() == frozenset({"opt out", "end"})
