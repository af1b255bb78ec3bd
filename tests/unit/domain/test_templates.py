"""SPEC §4 templates: the verbatim defaults, placeholders and their validation."""

from __future__ import annotations

import pytest

from consentline.domain.errors import InvalidSetting
from consentline.domain.templates import (
    DEFAULT_TEMPLATES,
    PLACEHOLDERS,
    RenderContext,
    render,
    validate_template,
)
from tests.unit.domain.support import COMPANY, EMPLOYEE, SPEC_TEXTS

DEFAULT_CONTEXT = RenderContext(
    employee_name=EMPLOYEE, company_name=COMPANY, opt_in_text="YES", opt_out_text="STOP"
)
CHANGED_CONTEXT = RenderContext(
    employee_name=EMPLOYEE, company_name=COMPANY, opt_in_text="JA", opt_out_text="HALT"
)


def test_default_template_keys_are_the_spec_keys() -> None:
    """§4: the thirteen templates of the table, and the HELP answer (issue 14)."""
    assert set(DEFAULT_TEMPLATES) == {
        "mt_request",
        "mt_requested_notice",
        "mt_accepted_notice",
        "mt_confirmation",
        "mt_optout_notice",
        "mt_optout_confirmation",
        "mo_request",
        "mo_requested_notice",
        "mo_accepted_notice",
        "mo_confirmation",
        "mo_optout_notice",
        "mo_optout_confirmation",
        "disclaimer",
        "help",
    }


@pytest.mark.parametrize("key", sorted(SPEC_TEXTS))
def test_default_template_renders_verbatim(key: str) -> None:
    """§4: with default keywords each default renders exactly as the table writes it."""
    assert render(DEFAULT_TEMPLATES[key], DEFAULT_CONTEXT) == SPEC_TEXTS[key]


@pytest.mark.parametrize("key", sorted(SPEC_TEXTS))
def test_default_template_is_valid(key: str) -> None:
    """§4: every default passes the check a saved template must pass."""
    validate_template(key, DEFAULT_TEMPLATES[key])


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        (
            "mt_request",
            "[Auto Message] You are trying to reach Ada Lovelace. As per company policy, you "
            "must provide your consent in order for your message to be delivered. To opt in, "
            "reply JA. To opt out, reply HALT.",
        ),
        (
            "mo_request",
            "[Auto Message] Ada Lovelace is trying to reach you. As per company policy, you must "
            "provide your consent to continue messaging. To Opt in, reply JA. To opt out, "
            "reply HALT.",
        ),
        ("mt_confirmation", "[Auto Message] Opt in confirmed. To opt out at any time, reply HALT."),
        (
            "mo_confirmation",
            "[Auto Message]: Opt in confirmed. If you wish to opt out at any time, reply HALT",
        ),
        (
            "disclaimer",
            "[Auto Message] You are receiving messages from Ada Lovelace on behalf of "
            "Northwind Bank. To opt out, reply HALT.",
        ),
    ],
)
def test_defaults_show_changed_keywords(key: str, expected: str) -> None:
    """§4: defaults are stored with <Opt-in Text>/<Opt-out Text>, so new keywords show."""
    assert render(DEFAULT_TEMPLATES[key], CHANGED_CONTEXT) == expected


@pytest.mark.parametrize(
    "key",
    [
        "mt_requested_notice",
        "mt_accepted_notice",
        "mt_optout_notice",
        "mt_optout_confirmation",
        "mo_requested_notice",
        "mo_accepted_notice",
        "mo_optout_notice",
        "mo_optout_confirmation",
    ],
)
def test_defaults_without_keywords_do_not_change_with_keywords(key: str) -> None:
    """§4: templates that show no keyword render the same whatever the keywords."""
    assert render(DEFAULT_TEMPLATES[key], CHANGED_CONTEXT) == SPEC_TEXTS[key]


def test_render_fills_every_placeholder() -> None:
    """§4: <Employee Name>, <Company Name>, <Opt-in Text>, <Opt-out Text>."""
    text = "<Employee Name>|<Company Name>|<Opt-in Text>|<Opt-out Text>|<Employee Name>"

    assert render(text, CHANGED_CONTEXT) == "Ada Lovelace|Northwind Bank|JA|HALT|Ada Lovelace"


def test_render_does_not_expand_placeholders_inside_values() -> None:
    """§4: a name that looks like a placeholder is shown as written."""
    context = RenderContext("<Company Name>", "Acme <Opt-in Text>", "YES", "STOP")

    assert render("<Employee Name> / <Company Name>", context) == (
        "<Company Name> / Acme <Opt-in Text>"
    )


@pytest.mark.parametrize(
    ("text", "unknown"),
    [
        ("Hello <Contact Name>, reply <Opt-in Text>.", "<Contact Name>"),
        ("Hi <employee name>", "<employee name>"),
        ("From <Employee>", "<Employee>"),
        ("<Opt-In Text> to join", "<Opt-In Text>"),
    ],
)
def test_unknown_placeholder_is_refused(text: str, unknown: str) -> None:
    """§4: a template with an unknown placeholder is refused when saved."""
    with pytest.raises(InvalidSetting) as refused:
        validate_template("mt_request", text)

    assert unknown in refused.value.message
    assert refused.value.code == "invalid_setting"


def test_every_known_placeholder_is_accepted() -> None:
    """§4: the four placeholders are allowed in any template."""
    validate_template("disclaimer", " ".join(PLACEHOLDERS))


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_empty_template_is_refused(text: str) -> None:
    """§4: a template must say something."""
    with pytest.raises(InvalidSetting):
        validate_template("mt_confirmation", text)


def test_unknown_template_key_is_refused() -> None:
    """§4: only the table's keys are templates."""
    with pytest.raises(InvalidSetting, match="mt_welcome"):
        validate_template("mt_welcome", "Welcome!")
