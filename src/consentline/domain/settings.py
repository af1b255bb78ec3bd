"""An organization's policy settings (SPEC §2) and the rules for changing them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from types import MappingProxyType

from consentline.domain.errors import InvalidSetting, SettingConflict
from consentline.domain.keywords import ALWAYS_OPT_OUT, KeywordKind, Keywords, normalize
from consentline.domain.templates import DEFAULT_TEMPLATES, missing_parts, validate_template
from consentline.domain.translations import (
    AVAILABLE_LANGUAGES,
    ENGLISH,
    LANGUAGE_KEYWORDS,
    LANGUAGE_TEMPLATES,
)

GROUP_CONSENT_CONFLICT = (
    "Group Message and SMS Opt-in with Consent cannot be enabled simultaneously. "
    "Group Messages cannot be enabled if the SMS Opt-in with Consent is turned ON for the "
    "organization, and vice versa."
)
MAX_KEYWORD_LENGTH = 40
MAX_TEMPLATE_LENGTH = 1000
MAX_DURATION_SECONDS = 366 * 24 * 3600
MAX_SUPPORT_CONTACT_LENGTH = 100


class Mode(StrEnum):
    CONSENT = "consent"
    DISCLAIMER = "disclaimer"


class ConsentScope(StrEnum):
    """How far one decision reaches: its own line, every line of the organization on that
    channel, or every line on every channel (the FCC's "revoke-all")."""

    LINE = "line"
    ORGANIZATION = "organization"
    ORGANIZATION_ALL_CHANNELS = "organization_all_channels"


@dataclass(frozen=True)
class Localization:
    """One language's words and templates other than English's (``keywords``/``templates``)."""

    keywords: Keywords
    templates: Mapping[str, str]


def default_localized() -> Mapping[str, Localization]:
    return MappingProxyType(
        {
            code: Localization(LANGUAGE_KEYWORDS[code], MappingProxyType(dict(texts)))
            for code, texts in LANGUAGE_TEMPLATES.items()
            if code != ENGLISH
        }
    )


_DEFAULT_LOCALIZED = default_localized()
_ALWAYS = frozenset(normalize(word) for word in ALWAYS_OPT_OUT)


@dataclass(frozen=True)
class PolicySettings:
    entitled: bool = False
    enabled: bool = False
    mode: Mode = Mode.CONSENT
    group_messaging: bool = False
    keywords: Keywords = field(default_factory=Keywords)
    templates: Mapping[str, str] = field(
        default_factory=lambda: MappingProxyType(dict(DEFAULT_TEMPLATES))
    )
    hold_max_age: int = 7 * 24 * 3600
    request_resend_interval: int = 24 * 3600
    templates_editable: bool = True
    """May the organization's admins edit templates and keywords? Set by the operator."""
    languages: tuple[str, ...] = (ENGLISH,)
    """The enabled languages; the first is the default."""
    localized: Mapping[str, Localization] = field(default_factory=lambda: _DEFAULT_LOCALIZED)
    support_contact: str = ""
    consent_scope: ConsentScope = ConsentScope.LINE

    @property
    def active_mode(self) -> Mode | None:
        """The mode in force, or None when SMS Opt-in is off (or no longer entitled)."""
        return self.mode if self.entitled and self.enabled else None

    @property
    def consent_on(self) -> bool:
        return self.active_mode is Mode.CONSENT

    def template(self, key: str) -> str:
        return self.templates.get(key, DEFAULT_TEMPLATES[key])

    @property
    def default_language(self) -> str:
        return self.languages[0] if self.languages else ENGLISH

    def language_for(self, language: str | None) -> str:
        """The language auto messages use: the contact's if enabled, else the default."""
        return language if language in self.languages else self.default_language

    def keywords_for(self, language: str) -> Keywords:
        if language == ENGLISH:
            return self.keywords
        found = self.localized.get(language)
        return found.keywords if found else LANGUAGE_KEYWORDS[language]

    def template_for(self, key: str, language: str) -> str:
        if language == ENGLISH:
            return self.template(key)
        found = self.localized.get(language)
        texts = found.templates if found else LANGUAGE_TEMPLATES[language]
        return texts.get(key) or LANGUAGE_TEMPLATES[language][key]

    def templates_for(self, language: str) -> Mapping[str, str]:
        if language == ENGLISH:
            return self.templates
        found = self.localized.get(language)
        return found.templates if found else LANGUAGE_TEMPLATES[language]

    def classify(
        self, body: str, current: str | None = None
    ) -> tuple[KeywordKind | None, str | None]:
        """Which keyword the whole message is, and in which enabled language: the contact's
        current language first, then the enabled ones in order. STOP, honored in every
        language, leaves the contact's language as it was."""
        word = normalize(body)
        if not word:
            return None, current
        if current is not None and current in self.languages:
            kind = self.keywords_for(current).kind_of(word)
            if kind is not None or word in _ALWAYS:
                return kind or KeywordKind.OPT_OUT, current
        for code in self.languages:
            kind = self.keywords_for(code).kind_of(word)
            if kind is not None:
                return kind, code
        if word in _ALWAYS:
            return KeywordKind.OPT_OUT, current
        return None, current


def check_change(old: PolicySettings, new: PolicySettings) -> None:
    """Refuse a change that leaves the settings invalid (422) or in conflict (409)."""
    _check_languages(new.languages)
    for code in AVAILABLE_LANGUAGES:  # a language not enabled yet must be valid already
        _check_keywords(new.keywords_for(code), _keywords_field(code))
    _check_collisions(new)
    for code in AVAILABLE_LANGUAGES:
        _check_templates(old, new, code)
    if len(new.support_contact) > MAX_SUPPORT_CONTACT_LENGTH:
        raise InvalidSetting(
            f"support_contact is {len(new.support_contact)} characters; "
            f"at most {MAX_SUPPORT_CONTACT_LENGTH}."
        )
    for name in ("hold_max_age", "request_resend_interval"):
        value = getattr(new, name)
        if not 0 < value <= MAX_DURATION_SECONDS:
            raise InvalidSetting(
                f"{name} must be a number of seconds from 1 to {MAX_DURATION_SECONDS}."
            )
    if new.consent_on and new.group_messaging:
        if not old.group_messaging:
            raise SettingConflict(
                "Group messaging cannot be enabled while SMS Opt-in with Consent is on. "
                + GROUP_CONSENT_CONFLICT
            )
        raise SettingConflict(
            "SMS Opt-in with Consent cannot be enabled while group messaging is on. "
            + GROUP_CONSENT_CONFLICT
        )


def _keywords_field(language: str) -> str:
    return "keywords" if language == ENGLISH else f"localized.{language}.keywords"


def _check_languages(languages: tuple[str, ...]) -> None:
    if not languages:
        raise InvalidSetting("languages must name at least one language, the default first.")
    unknown = [code for code in languages if code not in AVAILABLE_LANGUAGES]
    if unknown:
        raise InvalidSetting(
            f"languages: unknown language code {', '.join(map(repr, unknown))}; "
            f"available: {', '.join(AVAILABLE_LANGUAGES)}."
        )
    if len(set(languages)) != len(languages):
        raise InvalidSetting("languages must not name a language twice.")


def _check_keywords(keywords: Keywords, field: str = "keywords") -> None:
    for name in ("opt_in", "opt_out", "help"):
        if not normalize(getattr(keywords, name)):
            raise InvalidSetting(
                f"{field}.{name} must be a word: it is empty or has no letters or digits."
            )
    for word in keywords.all_words():
        if not normalize(word):
            raise InvalidSetting(
                f"{field}: keyword {word!r} has no letters or digits; a keyword must be a word."
            )
        if len(word) > MAX_KEYWORD_LENGTH:
            raise InvalidSetting(
                f"{field}: keyword {word!r} is too long; at most {MAX_KEYWORD_LENGTH} characters."
            )
    clash = keywords.conflicts()
    if not clash:
        return
    words = ", ".join(sorted(word.upper() for word in clash))
    if clash <= keywords.opt_in_words() & keywords.opt_out_words():
        raise InvalidSetting(f"A word cannot both opt in and opt out: {words}.")
    raise InvalidSetting(
        f"{field}: a word cannot mean two things (opt-in, opt-out, help): {words}."
    )


def _check_collisions(settings: PolicySettings) -> None:
    """A word that means one thing in one enabled language and another in another."""
    meanings: dict[str, dict[KeywordKind, list[str]]] = {}
    for code in settings.languages:
        for kind, words in settings.keywords_for(code).words_by_kind().items():
            for word in words:
                meanings.setdefault(word, {}).setdefault(kind, []).append(code)
    clashes = sorted(
        f"{word.upper()} ("
        + ", ".join(f"{kind.value} in {'/'.join(codes)}" for kind, codes in kinds.items())
        + ")"
        for word, kinds in meanings.items()
        if len(kinds) > 1
    )
    if clashes:
        raise InvalidSetting(
            "These keywords collide across the enabled languages: " + "; ".join(clashes) + "."
        )


def _check_templates(old: PolicySettings, new: PolicySettings, language: str) -> None:
    """Check the templates of one language that this change touches."""
    before = old.templates_for(language)
    keywords = new.keywords_for(language)
    field = "templates" if language == ENGLISH else f"localized.{language}.templates"
    for key, text in new.templates_for(language).items():
        if before.get(key) == text:
            continue
        try:
            validate_template(key, text)
            if len(text) > MAX_TEMPLATE_LENGTH:
                raise InvalidSetting(
                    f"Template {key!r} is {len(text)} characters; at most {MAX_TEMPLATE_LENGTH}."
                )
            missing = missing_parts(key, text, keywords.opt_in_words(), keywords.opt_out_words())
        except InvalidSetting as error:
            raise InvalidSetting(_in_field(field, error.message)) from None
        if missing:
            raise InvalidSetting(_in_field(field, missing), code="unsafe_template")


def _in_field(field: str, message: str) -> str:
    return message if field == "templates" else f"{field}: {message}"


def with_templates(settings: PolicySettings, templates: Mapping[str, str]) -> PolicySettings:
    merged = dict(settings.templates)
    merged.update(templates)
    return replace(settings, templates=MappingProxyType(merged))
