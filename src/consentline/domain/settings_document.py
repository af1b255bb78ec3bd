"""Settings as the nested JSON document of SPEC §2, and partial updates to it.

The same shape is stored in the database and spoken by the API, so one codec serves both.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace
from typing import Any

from consentline.domain.errors import InvalidSetting
from consentline.domain.settings import Mode, PolicySettings, with_templates

Document = dict[str, Any]


def to_document(settings: PolicySettings) -> Document:
    keywords = settings.keywords
    return {
        "sms_optin": {
            "entitled": settings.entitled,
            "enabled": settings.enabled,
            "mode": settings.mode.value,
        },
        "group_messaging": {"enabled": settings.group_messaging},
        "keywords": {
            "opt_in": keywords.opt_in,
            "opt_out": keywords.opt_out,
            "opt_in_synonyms": list(keywords.opt_in_synonyms),
            "opt_out_synonyms": list(keywords.opt_out_synonyms),
        },
        "templates": dict(settings.templates),
        "hold_max_age": settings.hold_max_age,
        "request_resend_interval": settings.request_resend_interval,
        "templates_editable": settings.templates_editable,
    }


def from_document(document: Mapping[str, Any]) -> PolicySettings:
    return apply_patch(PolicySettings(), document)


def apply_patch(settings: PolicySettings, patch: Mapping[str, Any]) -> PolicySettings:
    """The settings with a partial document applied (unknown keys were refused upstream)."""
    optin = patch.get("sms_optin") or {}
    if "entitled" in optin:
        settings = replace(settings, entitled=bool(optin["entitled"]))
    if "enabled" in optin:
        settings = replace(settings, enabled=bool(optin["enabled"]))
    if "mode" in optin:
        try:
            settings = replace(settings, mode=Mode(optin["mode"]))
        except ValueError:
            raise InvalidSetting("sms_optin.mode must be 'consent' or 'disclaimer'.") from None
    group = patch.get("group_messaging") or {}
    if "enabled" in group:
        settings = replace(settings, group_messaging=bool(group["enabled"]))
    words = patch.get("keywords") or {}
    if words:
        keywords = settings.keywords
        if "opt_in" in words:
            keywords = replace(keywords, opt_in=str(words["opt_in"]).strip())
        if "opt_out" in words:
            keywords = replace(keywords, opt_out=str(words["opt_out"]).strip())
        if "opt_in_synonyms" in words:
            keywords = replace(keywords, opt_in_synonyms=_words(words["opt_in_synonyms"]))
        if "opt_out_synonyms" in words:
            keywords = replace(keywords, opt_out_synonyms=_words(words["opt_out_synonyms"]))
        settings = replace(settings, keywords=keywords)
    if patch.get("templates"):
        settings = with_templates(settings, patch["templates"])
    if "hold_max_age" in patch:
        settings = replace(settings, hold_max_age=int(patch["hold_max_age"]))
    if "request_resend_interval" in patch:
        settings = replace(settings, request_resend_interval=int(patch["request_resend_interval"]))
    if "templates_editable" in patch:
        settings = replace(settings, templates_editable=bool(patch["templates_editable"]))
    return settings


def _words(values: Any) -> tuple[str, ...]:
    return tuple(str(word).strip() for word in values)


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
