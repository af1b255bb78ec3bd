"""An organization's policy settings (SPEC §2) and the rules for changing them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from types import MappingProxyType

from consentline.domain.errors import InvalidSetting, SettingConflict
from consentline.domain.keywords import Keywords, normalize
from consentline.domain.templates import DEFAULT_TEMPLATES, validate_template

GROUP_CONSENT_CONFLICT = (
    "Group Message and SMS Opt-in with Consent cannot be enabled simultaneously. "
    "Group Messages cannot be enabled if the SMS Opt-in with Consent is turned ON for the "
    "organization, and vice versa."
)
MAX_KEYWORD_LENGTH = 40
MAX_TEMPLATE_LENGTH = 1000
MAX_DURATION_SECONDS = 366 * 24 * 3600


class Mode(StrEnum):
    CONSENT = "consent"
    DISCLAIMER = "disclaimer"


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

    @property
    def active_mode(self) -> Mode | None:
        """The mode in force, or None when SMS Opt-in is off (or no longer entitled)."""
        return self.mode if self.entitled and self.enabled else None

    @property
    def consent_on(self) -> bool:
        return self.active_mode is Mode.CONSENT

    def template(self, key: str) -> str:
        return self.templates.get(key, DEFAULT_TEMPLATES[key])


def check_change(old: PolicySettings, new: PolicySettings) -> None:
    """Refuse a change that leaves the settings invalid (422) or in conflict (409)."""
    _check_keywords(new.keywords)
    for key, text in new.templates.items():
        validate_template(key, text)
        if len(text) > MAX_TEMPLATE_LENGTH:
            raise InvalidSetting(
                f"Template {key!r} is {len(text)} characters; at most {MAX_TEMPLATE_LENGTH}."
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


def _check_keywords(keywords: Keywords) -> None:
    words = [keywords.opt_in, keywords.opt_out, *keywords.opt_in_synonyms]
    words += keywords.opt_out_synonyms
    for word in words:
        if not normalize(word):
            raise InvalidSetting(
                f"Keyword {word!r} has no letters or digits; a keyword must be a word."
            )
        if len(word) > MAX_KEYWORD_LENGTH:
            raise InvalidSetting(
                f"Keyword {word!r} is too long; at most {MAX_KEYWORD_LENGTH} characters."
            )
    clash = keywords.conflicts()
    if clash:
        raise InvalidSetting(
            "A word cannot both opt in and opt out: "
            + ", ".join(sorted(word.upper() for word in clash))
            + "."
        )


def with_templates(settings: PolicySettings, templates: Mapping[str, str]) -> PolicySettings:
    merged = dict(settings.templates)
    merged.update(templates)
    return replace(settings, templates=MappingProxyType(merged))
