"""SPEC §2 settings: defaults, ``check_change`` and the settings document."""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType
from typing import Any

import pytest

from consentline.domain.errors import InvalidSetting, SettingConflict
from consentline.domain.keywords import Keywords
from consentline.domain.settings import (
    MAX_DURATION_SECONDS,
    Mode,
    PolicySettings,
    check_change,
    with_templates,
)
from consentline.domain.settings_document import (
    apply_patch,
    changed_leaves,
    from_document,
    to_document,
)
from consentline.domain.templates import DEFAULT_TEMPLATES
from consentline.domain.translations import LANGUAGE_KEYWORDS, LANGUAGE_TEMPLATES
from tests.unit.domain.support import consent_settings, disclaimer_settings

BASE = PolicySettings(entitled=True)


def keywords(**changes: Any) -> PolicySettings:
    return replace(BASE, keywords=replace(Keywords(), **changes))


# --- defaults -------------------------------------------------------------------------------


def test_defaults_are_the_spec_table() -> None:
    """§2: every setting's default."""
    settings = PolicySettings()

    assert settings.entitled is False
    assert settings.enabled is False
    assert settings.mode is Mode.CONSENT
    assert settings.group_messaging is False
    assert settings.keywords.opt_in == "YES"
    assert settings.keywords.opt_out == "STOP"
    assert settings.keywords.opt_in_synonyms == ("START", "UNSTOP")
    assert settings.keywords.opt_out_synonyms == (
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
    assert dict(settings.templates) == dict(DEFAULT_TEMPLATES)
    assert settings.hold_max_age == 604800
    assert settings.request_resend_interval == 86400


@pytest.mark.parametrize(
    ("entitled", "enabled", "mode", "active"),
    [
        (False, False, Mode.CONSENT, None),
        (False, True, Mode.CONSENT, None),
        (True, False, Mode.DISCLAIMER, None),
        (True, True, Mode.CONSENT, Mode.CONSENT),
        (True, True, Mode.DISCLAIMER, Mode.DISCLAIMER),
    ],
)
def test_active_mode_needs_entitlement_and_enabled(
    entitled: bool, enabled: bool, mode: Mode, active: Mode | None
) -> None:
    """§1/§2: SMS Opt-in applies only when entitled and enabled."""
    settings = PolicySettings(entitled=entitled, enabled=enabled, mode=mode)

    assert settings.active_mode is active
    assert settings.consent_on is (active is Mode.CONSENT)


# --- check_change: group messaging versus consent -------------------------------------------


def test_enabling_group_messaging_while_consent_is_on_is_a_conflict() -> None:
    """§2: group_messaging is mutually exclusive with enabled && mode == consent (409)."""
    old = consent_settings()
    with pytest.raises(SettingConflict) as refused:
        check_change(old, replace(old, group_messaging=True))

    assert refused.value.code == "setting_conflict"
    assert "Group messaging cannot be enabled" in refused.value.message
    assert "cannot be enabled simultaneously" in refused.value.message


def test_enabling_consent_while_group_messaging_is_on_is_a_conflict() -> None:
    """§2: enabling consent mode while group messaging is on is refused (409)."""
    old = PolicySettings(entitled=True, group_messaging=True)
    with pytest.raises(SettingConflict) as refused:
        check_change(old, replace(old, enabled=True, mode=Mode.CONSENT))

    assert "SMS Opt-in with Consent cannot be enabled" in refused.value.message


def test_switching_disclaimer_to_consent_with_group_on_is_a_conflict() -> None:
    """§2: switching the mode to consent while group messaging is on is refused."""
    old = disclaimer_settings(group_messaging=True)
    with pytest.raises(SettingConflict):
        check_change(old, replace(old, mode=Mode.CONSENT))


@pytest.mark.parametrize(
    "new",
    [
        disclaimer_settings(group_messaging=True),
        PolicySettings(entitled=True, enabled=False, mode=Mode.CONSENT, group_messaging=True),
    ],
    ids=["disclaimer", "disabled-consent"],
)
def test_group_messaging_is_allowed_outside_consent_mode(new: PolicySettings) -> None:
    """§2: group messaging goes with disclaimer mode or with SMS Opt-in off."""
    check_change(PolicySettings(entitled=True), new)


def test_a_valid_change_passes() -> None:
    """§2: a change within the rules is accepted."""
    old = consent_settings()
    new = replace(
        with_templates(
            old,
            {"mt_request": "Reply <Opt-in Text> for <Employee Name>; <Opt-out Text> to stop."},
        ),
        keywords=Keywords(opt_in="JA", opt_in_synonyms=("OUI",)),
        hold_max_age=3600,
        request_resend_interval=60,
    )
    check_change(old, new)


# --- check_change: keywords -----------------------------------------------------------------


@pytest.mark.parametrize(
    "changes",
    [
        {"opt_in": "STOP"},
        {"opt_in": "stop!"},
        {"opt_out": "YES"},
        {"opt_in_synonyms": ("START", "CANCEL")},
        {"opt_in_synonyms": ("opt-out",)},
        {"opt_out_synonyms": ("QUIT", "unstop")},
        {"opt_in": "HALT", "opt_out_synonyms": ("Halt.",)},
    ],
)
def test_overlapping_opt_in_and_opt_out_words_are_refused(changes: dict[str, Any]) -> None:
    """§2: an opt-in word that is also an opt-out word is refused (422)."""
    with pytest.raises(InvalidSetting) as refused:
        check_change(BASE, keywords(**changes))

    assert refused.value.code == "invalid_setting"
    assert "both opt in and opt out" in refused.value.message


def test_overlap_refusal_names_the_word() -> None:
    """§2: the refusal says which word clashes."""
    with pytest.raises(InvalidSetting, match="CANCEL"):
        check_change(BASE, keywords(opt_in_synonyms=("cancel",)))


@pytest.mark.parametrize(
    "changes",
    [
        {"opt_in": ""},
        {"opt_in": "   "},
        {"opt_out": ""},
        {"opt_out": "!!!"},
        {"opt_in_synonyms": ("START", "")},
        {"opt_out_synonyms": ("🙏",)},
    ],
)
def test_empty_keywords_are_refused(changes: dict[str, Any]) -> None:
    """§2: a keyword must be a word."""
    with pytest.raises(InvalidSetting):
        check_change(BASE, keywords(**changes))


def test_overlong_keyword_is_refused() -> None:
    """§2: a keyword has a sane length."""
    with pytest.raises(InvalidSetting, match="too long"):
        check_change(BASE, keywords(opt_in="Y" * 41))


def test_empty_synonym_lists_are_allowed() -> None:
    """§2: synonyms are optional."""
    check_change(BASE, keywords(opt_in_synonyms=(), opt_out_synonyms=()))


# --- check_change: durations and templates --------------------------------------------------


@pytest.mark.parametrize("name", ["hold_max_age", "request_resend_interval"])
@pytest.mark.parametrize("value", [0, -1, MAX_DURATION_SECONDS + 1])
def test_durations_out_of_range_are_refused(name: str, value: int) -> None:
    """§2: hold_max_age and request_resend_interval are positive numbers of seconds."""
    with pytest.raises(InvalidSetting, match=name):
        check_change(BASE, replace(BASE, **{name: value}))


@pytest.mark.parametrize("name", ["hold_max_age", "request_resend_interval"])
@pytest.mark.parametrize("value", [1, 604800, MAX_DURATION_SECONDS])
def test_durations_in_range_are_accepted(name: str, value: int) -> None:
    """§2: any duration from one second up to the maximum is accepted."""
    check_change(BASE, replace(BASE, **{name: value}))


def test_template_with_unknown_placeholder_is_refused_by_check_change() -> None:
    """§4: a template with an unknown placeholder is refused when saved."""
    new = with_templates(BASE, {"disclaimer": "Hi <Contact Name>, reply <Opt-out Text>."})
    with pytest.raises(InvalidSetting, match="<Contact Name>"):
        check_change(BASE, new)


def test_overlong_template_is_refused() -> None:
    """§4: a template has a sane length."""
    with pytest.raises(InvalidSetting):
        check_change(BASE, with_templates(BASE, {"disclaimer": "x" * 1001}))


def test_with_templates_merges_over_the_current_templates() -> None:
    """§2: changing one template keeps the others."""
    changed = with_templates(BASE, {"mt_confirmation": "Confirmed. <Opt-out Text> to stop."})

    assert changed.template("mt_confirmation") == "Confirmed. <Opt-out Text> to stop."
    assert changed.template("mo_request") == DEFAULT_TEMPLATES["mo_request"]
    assert BASE.template("mt_confirmation") == DEFAULT_TEMPLATES["mt_confirmation"]


# --- the settings document ------------------------------------------------------------------


def test_default_document_has_the_spec_shape() -> None:
    """§2: nested objects as the API speaks them."""
    assert to_document(PolicySettings()) == {
        "sms_optin": {"entitled": False, "enabled": False, "mode": "consent"},
        "group_messaging": {"enabled": False},
        "keywords": {
            "opt_in": "YES",
            "opt_out": "STOP",
            "opt_in_synonyms": ["START", "UNSTOP"],
            "opt_out_synonyms": [
                "STOPALL",
                "STOP ALL",
                "UNSUBSCRIBE",
                "CANCEL",
                "END",
                "QUIT",
                "REVOKE",
                "OPTOUT",
                "OPT OUT",
            ],
            "help": "HELP",
            "help_synonyms": ["INFO"],
        },
        "templates": dict(DEFAULT_TEMPLATES),
        "hold_max_age": 604800,
        "request_resend_interval": 86400,
        "templates_editable": True,
        "languages": ["en"],
        "localized": {
            code: {
                "keywords": {
                    "opt_in": LANGUAGE_KEYWORDS[code].opt_in,
                    "opt_out": LANGUAGE_KEYWORDS[code].opt_out,
                    "opt_in_synonyms": list(LANGUAGE_KEYWORDS[code].opt_in_synonyms),
                    "opt_out_synonyms": list(LANGUAGE_KEYWORDS[code].opt_out_synonyms),
                    "help": LANGUAGE_KEYWORDS[code].help,
                    "help_synonyms": [],
                },
                "templates": dict(LANGUAGE_TEMPLATES[code]),
            }
            for code in ("es", "fr", "pt")
        },
        "support_contact": "",
        "consent_scope": "line",
    }


def test_document_round_trip() -> None:
    """§2: settings → document → settings changes nothing."""
    settings = PolicySettings(
        entitled=True,
        enabled=True,
        mode=Mode.DISCLAIMER,
        group_messaging=True,
        keywords=Keywords(
            opt_in="JA", opt_out="HALT", opt_in_synonyms=("OUI",), opt_out_synonyms=()
        ),
        templates=MappingProxyType(
            {**DEFAULT_TEMPLATES, "disclaimer": "<Company Name>: reply <Opt-out Text>."}
        ),
        hold_max_age=3600,
        request_resend_interval=120,
    )

    document = to_document(settings)
    assert from_document(document) == settings
    assert to_document(from_document(document)) == document


def test_from_empty_document_is_the_defaults() -> None:
    """§2: a stored document that says nothing leaves every default."""
    assert from_document({}) == PolicySettings()


def test_apply_patch_changes_only_what_it_names() -> None:
    """§2/§6: PATCH takes partial settings of the same shape."""
    old = consent_settings()
    new = apply_patch(old, {"sms_optin": {"mode": "disclaimer"}})

    assert new == replace(old, mode=Mode.DISCLAIMER)


def test_apply_patch_keywords_keeps_synonyms_and_strips_words() -> None:
    """§2: changing opt_in keeps the synonyms; words are stored trimmed."""
    new = apply_patch(BASE, {"keywords": {"opt_in": "  JA ", "opt_out_synonyms": [" QUIT "]}})

    assert new.keywords == Keywords(
        opt_in="JA", opt_out="STOP", opt_in_synonyms=("START", "UNSTOP"), opt_out_synonyms=("QUIT",)
    )


def test_apply_patch_templates_merge() -> None:
    """§2: a patch of one template keeps the others."""
    new = apply_patch(BASE, {"templates": {"mt_confirmation": "OK. <Opt-out Text> to stop."}})

    assert new.templates["mt_confirmation"] == "OK. <Opt-out Text> to stop."
    assert new.templates["mt_request"] == DEFAULT_TEMPLATES["mt_request"]


def test_apply_patch_sets_group_messaging_and_durations() -> None:
    """§2: group_messaging.enabled, hold_max_age and request_resend_interval."""
    new = apply_patch(
        BASE,
        {"group_messaging": {"enabled": True}, "hold_max_age": 60, "request_resend_interval": 30},
    )

    assert new.group_messaging is True
    assert new.hold_max_age == 60
    assert new.request_resend_interval == 30


def test_apply_patch_refuses_an_unknown_mode() -> None:
    """§2: mode is consent or disclaimer."""
    with pytest.raises(InvalidSetting, match="mode"):
        apply_patch(BASE, {"sms_optin": {"mode": "implied"}})


def test_apply_empty_patch_changes_nothing() -> None:
    """§6: an empty PATCH leaves the settings as they were."""
    settings = consent_settings(hold_max_age=10)

    assert apply_patch(settings, {}) == settings


def test_changed_leaves_lists_each_changed_setting() -> None:
    """§2: every change of a setting is recorded with old and new value."""
    old = to_document(consent_settings())
    new = to_document(apply_patch(consent_settings(), {"keywords": {"opt_in": "JA"}}))

    assert list(changed_leaves(old, new)) == [("keywords.opt_in", "YES", "JA")]
