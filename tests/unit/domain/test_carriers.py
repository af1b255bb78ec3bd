"""Carrier settings: which provider serves a line, secrets kept but never shown."""

from __future__ import annotations

import pytest

from consentline.domain.carriers import CarrierSettings, ProviderName, apply_patch
from consentline.domain.errors import InvalidInput
from consentline.domain.messages import Channel

SMS_LINE = "+15550001001"
WA_LINE = "+15550001002"
PLAIN_LINE = "+15550001003"
OWN = {SMS_LINE, WA_LINE, PLAIN_LINE}
SID = "AC" + "0" * 32


def _configured() -> CarrierSettings:
    return apply_patch(
        CarrierSettings(),
        {
            "twilio": {
                "account_sid": SID,
                "auth_token": "tw-secret-value",
                "lines": ["(555) 000-1001"],
            },
            "whatsapp": {
                "access_token": "wa-token",
                "app_secret": "wa-secret",
                "lines": {WA_LINE: "1234567"},
                "optin_template": {"name": "optin", "language": "en_US"},
            },
            "employee_app": {"url": "https://app.example.com/hook", "signing_secret": "s"},
        },
        OWN,
    )


def test_nothing_configured_means_the_simulator_everywhere() -> None:
    empty = CarrierSettings()
    for channel in Channel:
        for side in ("contact", "employee"):
            assert empty.provider_for(SMS_LINE, channel, side) is ProviderName.SIMULATOR


def test_each_line_and_channel_goes_to_its_configured_provider() -> None:
    settings = _configured()
    assert settings.provider_for(SMS_LINE, Channel.SMS, "contact") is ProviderName.TWILIO
    assert settings.provider_for(SMS_LINE, Channel.WHATSAPP, "contact") is ProviderName.SIMULATOR
    assert settings.provider_for(WA_LINE, Channel.WHATSAPP, "contact") is ProviderName.WHATSAPP
    assert settings.provider_for(WA_LINE, Channel.SMS, "contact") is ProviderName.SIMULATOR
    assert settings.provider_for(PLAIN_LINE, Channel.SMS, "contact") is ProviderName.SIMULATOR
    assert settings.provider_for(PLAIN_LINE, Channel.SMS, "employee") is (ProviderName.EMPLOYEE_APP)


def test_the_public_view_says_only_whether_each_secret_is_set() -> None:
    shown = _configured().public()
    assert shown["twilio"] == {"account_sid": SID, "lines": [SMS_LINE], "auth_token_set": True}
    assert shown["whatsapp"]["access_token_set"] is True
    assert shown["whatsapp"]["verify_token_set"] is False
    assert "tw-secret-value" not in str(shown)
    assert "wa-secret" not in str(shown)


def test_a_secret_given_as_null_is_cleared_and_then_its_lines_are_refused() -> None:
    with pytest.raises(InvalidInput, match=r"account_sid and twilio\.auth_token"):
        apply_patch(_configured(), {"twilio": {"auth_token": None}}, OWN)
    cleared = apply_patch(_configured(), {"twilio": {"auth_token": None, "lines": []}}, OWN)
    assert cleared.twilio is None
    assert cleared.provider_for(SMS_LINE, Channel.SMS, "contact") is ProviderName.SIMULATOR


def test_a_patch_never_changes_the_settings_it_started_from() -> None:
    before = _configured()
    snapshot = (dict(before.config), dict(before.secrets))
    apply_patch(before, {"twilio": {"lines": []}}, OWN)
    assert (before.config, before.secrets) == snapshot


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        ({"sendgrid": {}}, "Unknown provider section"),
        ({"twilio": {"region": "ie1"}}, "Unknown provider setting"),
        ({"whatsapp": {"optin_template": {"name": "x"}}}, "name and a language"),
        (
            {"whatsapp": {"optin_template": {"name": "x", "language": "en", "parameters": ["x"]}}},
            "Unknown template parameter",
        ),
        ({"twilio": {"lines": ["not a number"]}}, "not a phone number"),
    ],
)
def test_bad_settings_are_refused_with_a_clear_message(
    patch: dict[str, object], message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        apply_patch(CarrierSettings(), patch, OWN)
