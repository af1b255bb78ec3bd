"""Settings as the nested JSON document of SPEC §2, and partial updates to it.

The same shape is stored in the database and spoken by the API, so one codec serves both.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace
from types import MappingProxyType
from typing import Any

from consentline.domain.errors import InvalidSetting
from consentline.domain.keywords import Keywords
from consentline.domain.settings import (
    ConsentScope,
    Localization,
    Mode,
    PolicySettings,
    with_templates,
)
from consentline.domain.translations import AVAILABLE_LANGUAGES, ENGLISH, LANGUAGE_TEMPLATES

Document = dict[str, Any]


def _keywords_document(keywords: Keywords) -> Document:
    return {
        "opt_in": keywords.opt_in,
        "opt_out": keywords.opt_out,
        "opt_in_synonyms": list(keywords.opt_in_synonyms),
        "opt_out_synonyms": list(keywords.opt_out_synonyms),
        "help": keywords.help,
        "help_synonyms": list(keywords.help_synonyms),
    }


def to_document(settings: PolicySettings) -> Document:
    return {
        "sms_optin": {
            "entitled": settings.entitled,
            "enabled": settings.enabled,
            "mode": settings.mode.value,
        },
        "group_messaging": {"enabled": settings.group_messaging},
        "keywords": _keywords_document(settings.keywords),
        "templates": dict(settings.templates),
        "hold_max_age": settings.hold_max_age,
        "request_resend_interval": settings.request_resend_interval,
        "templates_editable": settings.templates_editable,
        "languages": list(settings.languages),
        "localized": {
            code: {
                "keywords": _keywords_document(settings.keywords_for(code)),
                "templates": dict(settings.templates_for(code)),
            }
            for code in AVAILABLE_LANGUAGES
            if code != ENGLISH
        },
        "support_contact": settings.support_contact,
        "consent_scope": settings.consent_scope.value,
    }


def from_document(document: Mapping[str, Any]) -> PolicySettings:
    return apply_patch(PolicySettings(), document)


def apply_patch(settings: PolicySettings, patch: Mapping[str, Any]) -> PolicySettings:
    """The settings with a partial document applied (unknown keys were refused upstream)."""
    # Every message reads its organization's settings: gather the changes, copy once.
    changes: dict[str, Any] = {}
    optin = patch.get("sms_optin") or {}
    if "entitled" in optin:
        changes["entitled"] = bool(optin["entitled"])
    if "enabled" in optin:
        changes["enabled"] = bool(optin["enabled"])
    if "mode" in optin:
        try:
            changes["mode"] = Mode(optin["mode"])
        except ValueError:
            raise InvalidSetting("sms_optin.mode must be 'consent' or 'disclaimer'.") from None
    group = patch.get("group_messaging") or {}
    if "enabled" in group:
        changes["group_messaging"] = bool(group["enabled"])
    words = patch.get("keywords") or {}
    if words:
        changes["keywords"] = _patch_keywords(settings.keywords, words)
    for name in ("hold_max_age", "request_resend_interval"):
        if name in patch:
            changes[name] = int(patch[name])
    if "templates_editable" in patch:
        changes["templates_editable"] = bool(patch["templates_editable"])
    if "languages" in patch:
        changes["languages"] = tuple(str(code).strip() for code in patch["languages"])
    if "support_contact" in patch:
        changes["support_contact"] = str(patch["support_contact"]).strip()
    if "consent_scope" in patch:
        try:
            changes["consent_scope"] = ConsentScope(patch["consent_scope"])
        except ValueError:
            raise InvalidSetting(
                "consent_scope must be one of: "
                + ", ".join(repr(scope.value) for scope in ConsentScope)
                + "."
            ) from None
    if patch.get("localized"):
        changes["localized"] = _patch_localized(settings, patch["localized"])
    settings = replace(settings, **changes) if changes else settings
    if patch.get("templates"):
        settings = with_templates(settings, patch["templates"])
    return settings


def _words(values: Any) -> tuple[str, ...]:
    return tuple(str(word).strip() for word in values)


def _patch_keywords(keywords: Keywords, words: Mapping[str, Any]) -> Keywords:
    changes: dict[str, Any] = {}
    for name in ("opt_in", "opt_out", "help"):
        if name in words:
            changes[name] = str(words[name]).strip()
    for name in ("opt_in_synonyms", "opt_out_synonyms", "help_synonyms"):
        if name in words:
            changes[name] = _words(words[name])
    return replace(keywords, **changes) if changes else keywords


def _patch_localized(
    settings: PolicySettings, patch: Mapping[str, Any]
) -> Mapping[str, Localization]:
    localized = dict(settings.localized)
    for code, part in patch.items():
        if code not in LANGUAGE_TEMPLATES or code == ENGLISH:
            raise InvalidSetting(
                f"localized: unknown language code {code!r}; available: "
                + ", ".join(c for c in AVAILABLE_LANGUAGES if c != ENGLISH)
                + " (English is keywords and templates)."
            )
        keywords = _patch_keywords(settings.keywords_for(code), part.get("keywords") or {})
        texts = dict(settings.templates_for(code))
        texts.update(part.get("templates") or {})
        localized[code] = Localization(keywords, MappingProxyType(texts))
    return MappingProxyType(localized)


def changed_leaves(
    old: Document, new: Document, prefix: str = ""
) -> Iterator[tuple[str, Any, Any]]:
    """Each setting that differs, as (dotted path, old value, new value)."""
    for key in sorted(set(old) | set(new)):
        path = f"{prefix}{key}"
        before, after = old.get(key), new.get(key)
        if isinstance(before, dict) and isinstance(after, dict):
            yield from changed_leaves(before, after, f"{path}.")
        elif before != after:
            yield path, before, after
