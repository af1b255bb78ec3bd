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
    word_changes: dict[str, Any] = {}
    for name in ("opt_in", "opt_out"):
        if name in words:
            word_changes[name] = str(words[name]).strip()
    for name in ("opt_in_synonyms", "opt_out_synonyms"):
        if name in words:
            word_changes[name] = _words(words[name])
    if word_changes:
        changes["keywords"] = replace(settings.keywords, **word_changes)
    for name in ("hold_max_age", "request_resend_interval"):
        if name in patch:
            changes[name] = int(patch[name])
    if "templates_editable" in patch:
        changes["templates_editable"] = bool(patch["templates_editable"])
    settings = replace(settings, **changes) if changes else settings
    if patch.get("templates"):
        settings = with_templates(settings, patch["templates"])
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
