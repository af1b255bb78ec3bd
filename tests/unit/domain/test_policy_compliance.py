"""Issue 14 rows of the state table, by calling ``decide`` directly: HELP in every state,
each language's words, and an opt-out made on another line (``consent_scope``)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from consentline.domain.consent import ConsentRecord, Party, State, Status
from consentline.domain.keywords import KeywordKind
from consentline.domain.policy import OPTED_OUT_REASON, AutoMessage, ScopeBlock, decide
from consentline.domain.settings import PolicySettings
from consentline.domain.templates import missing_parts
from tests.unit.domain.support import (
    NAMES,
    T0,
    consent_settings,
    disclaimer_sent,
    disclaimer_settings,
    from_contact,
    from_employee,
    held,
    opted_in,
    opted_out,
    pending,
)

HELP = "[Auto Message] Northwind Bank: for help, contact 1-800-555-0100. To opt out, reply STOP."
ES_OPTOUT_CONFIRMATION = (
    "[Mensaje automático] Baja confirmada. Si cambia de opinión, responda con un nuevo mensaje."
)
PT_CONFIRMATION = (
    "[Mensagem automática] Consentimento confirmado. Para cancelar a qualquer momento, "
    "responda PARAR."
)
ALL = ("en", "es", "fr", "pt")
BLOCK = ScopeBlock("+15550001001", "sms", T0)


def _settings(base: PolicySettings, **changes: object) -> PolicySettings:
    return replace(base, support_contact="1-800-555-0100", **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("settings", "record"),
    [
        (consent_settings(), ConsentRecord()),
        (consent_settings(), pending(Party.CONTACT)),
        (consent_settings(), pending(Party.EMPLOYEE)),
        (consent_settings(), opted_in(Party.CONTACT)),
        (consent_settings(), opted_out(Party.CONTACT)),
        (disclaimer_settings(), ConsentRecord()),
        (disclaimer_settings(), disclaimer_sent(Party.EMPLOYEE)),
        (disclaimer_settings(), opted_out(Party.CONTACT)),
    ],
)
def test_help_in_every_state(settings: PolicySettings, record: ConsentRecord) -> None:
    """Row: any state | contact sends HELP → `help` → contact; consumed; nothing changes."""
    waiting = (held(1, T0),) if record.state is State.PENDING else ()

    decision = decide(record, _settings(settings), from_contact("Help?"), waiting, NAMES)

    assert decision.status is Status.KEYWORD
    assert decision.record == record
    assert decision.auto_messages == (AutoMessage("help", Party.CONTACT, HELP),)
    assert (decision.release, decision.discard, decision.decides) == ((), (), False)


def test_help_without_a_support_contact_names_the_line() -> None:
    names = replace(NAMES, line_number="+15550001001")
    decision = decide(ConsentRecord(), consent_settings(), from_contact("INFO"), (), names)
    assert decision.auto_messages[0].body == (
        "[Auto Message] Northwind Bank: for help, contact +15550001001. To opt out, reply STOP."
    )


@pytest.mark.parametrize(
    ("word", "language"),
    [("BAJA", "es"), ("alto", "es"), ("Arrêt", "fr"), ("TD", "fr"), ("sair", "pt")],
)
def test_each_languages_opt_out_word_opts_out_and_sets_the_language(
    word: str, language: str
) -> None:
    settings = _settings(consent_settings(), languages=ALL)

    decision = decide(opted_in(Party.CONTACT), settings, from_contact(word), (), NAMES)

    assert decision.record.state is State.OPTED_OUT
    assert decision.language == language
    assert decision.auto_messages[0].template == "mt_optout_confirmation"


def test_opt_out_confirmation_and_opt_in_confirmation_in_the_contacts_language() -> None:
    settings = _settings(consent_settings(), languages=ALL)
    out = decide(opted_in(Party.CONTACT), settings, from_contact("baja"), (), NAMES)
    assert out.auto_messages[0].body == ES_OPTOUT_CONFIRMATION
    back = decide(pending(Party.CONTACT), settings, from_contact("SIM"), (), NAMES)
    assert back.auto_messages[0].body == PT_CONFIRMATION
    assert back.auto_messages[1].body.startswith("[Auto Message] Your Contact has opted in.")


def test_stop_keeps_the_contacts_language_and_a_disabled_language_is_text() -> None:
    settings = _settings(consent_settings(), languages=("en", "es"))
    decision = decide(
        opted_in(Party.CONTACT), settings, from_contact("STOP"), (), NAMES, language="es"
    )
    assert decision.language == "es"
    assert decision.auto_messages[0].body == ES_OPTOUT_CONFIRMATION
    assert settings.classify("OUI") == (None, None)  # French is not enabled
    assert settings.classify("PARAR", "pt") == (KeywordKind.OPT_OUT, "es")


@pytest.mark.parametrize(
    "record",
    [ConsentRecord(), pending(Party.EMPLOYEE), opted_in(Party.CONTACT)],
)
def test_employee_send_blocked_by_an_opt_out_on_another_line(record: ConsentRecord) -> None:
    """Row (consent_scope organization): opted out on another line | employee sends →
    blocked, reason opted_out, this conversation's record unchanged, nothing sent."""
    decision = decide(record, consent_settings(), from_employee("Hi"), (), NAMES, blocked_by=BLOCK)

    assert (decision.status, decision.reason) == (Status.BLOCKED, OPTED_OUT_REASON)
    assert decision.record == record
    assert decision.auto_messages == ()
    assert decision.blocked_by == BLOCK


def test_a_contacts_message_is_not_blocked_by_another_lines_opt_out() -> None:
    decision = decide(
        ConsentRecord(), consent_settings(), from_contact("Hi"), (), NAMES, blocked_by=BLOCK
    )
    assert decision.status is Status.HELD
    assert decision.blocked_by is None


@pytest.mark.parametrize(
    ("key", "text", "missing"),
    [
        ("mt_request", "Reply <Opt-in Text>.", "how to opt out"),
        ("mo_request", "Reply STOP to end.", "how to opt in"),
        ("mt_confirmation", "Confirmed.", "how to opt out"),
        ("help", "Call us.", "how to opt out"),
        ("disclaimer", "From <Company Name>.", "how to opt out"),
    ],
)
def test_missing_parts(key: str, text: str, missing: str) -> None:
    words = PolicySettings().keywords
    found = missing_parts(key, text, words.opt_in_words(), words.opt_out_words())
    assert found is not None
    assert missing in found


def test_nothing_missing() -> None:
    words = PolicySettings().keywords
    assert missing_parts("mt_request", "YES or opt-out?", *_sets(words)) is None
    assert missing_parts("mt_optout_confirmation", "Bye.", *_sets(words)) is None
    assert missing_parts("mt_requested_notice", "Asked.", *_sets(words)) is None


def _sets(words: object) -> tuple[frozenset[str], frozenset[str]]:
    from consentline.domain.keywords import Keywords

    assert isinstance(words, Keywords)
    return words.opt_in_words(), words.opt_out_words()
