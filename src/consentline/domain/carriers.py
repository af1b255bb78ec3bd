"""Which carrier serves which line, and with which credentials (SPEC §7). Pure.

A root organization's lines go through the simulator unless its carrier settings name them:
``twilio.lines`` lists the lines whose SMS go through Twilio, ``whatsapp.lines`` maps the
lines whose WhatsApp messages go through the Cloud API to their phone number id. The
employee side goes to the organization's app when ``employee_app.url`` is set.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from consentline.domain.errors import InvalidInput
from consentline.domain.messages import Channel
from consentline.domain.phone import to_e164

SIMULATOR = "simulator"
TEMPLATE_PARAMETERS = ("employee_name", "company_name")
SECRET_FIELDS = {
    "twilio": ("auth_token",),
    "whatsapp": ("access_token", "app_secret", "verify_token"),
    "employee_app": ("signing_secret",),
}


class ProviderName(StrEnum):
    SIMULATOR = "simulator"
    TWILIO = "twilio"
    WHATSAPP = "whatsapp"
    EMPLOYEE_APP = "employee_app"


@dataclass(frozen=True)
class OptInTemplate:
    """An approved WhatsApp template for the opt-in request outside the 24-hour window."""

    name: str
    language: str
    parameters: tuple[str, ...] = ()


@dataclass(frozen=True)
class TwilioAccount:
    account_sid: str
    auth_token: str


@dataclass(frozen=True)
class WhatsAppAccount:
    access_token: str
    app_secret: str
    verify_token: str
    optin_template: OptInTemplate | None


@dataclass(frozen=True)
class CarrierSettings:
    """One root organization's carrier settings: ``config`` is shown, ``secrets`` never."""

    config: dict[str, Any] = field(default_factory=dict)
    secrets: dict[str, Any] = field(default_factory=dict)

    def _section(self, name: str) -> dict[str, Any]:
        section = self.config.get(name) or {}
        return dict(section)

    def _secret(self, section: str, name: str) -> str | None:
        value = (self.secrets.get(section) or {}).get(name)
        return str(value) if value else None

    def provider_for(self, line_number: str, channel: Channel, destination: str) -> ProviderName:
        if destination == "employee":
            return ProviderName.EMPLOYEE_APP if self.employee_app_url else ProviderName.SIMULATOR
        if channel is Channel.SMS and line_number in self._section("twilio").get("lines", []):
            return ProviderName.TWILIO
        if channel is Channel.WHATSAPP and line_number in self.whatsapp_lines:
            return ProviderName.WHATSAPP
        return ProviderName.SIMULATOR

    @property
    def twilio(self) -> TwilioAccount | None:
        sid = self._section("twilio").get("account_sid")
        token = self._secret("twilio", "auth_token")
        return TwilioAccount(str(sid), token) if sid and token else None

    def serves_twilio(self, line_number: str) -> bool:
        return line_number in self._section("twilio").get("lines", [])

    @property
    def whatsapp_lines(self) -> dict[str, str]:
        return dict(self._section("whatsapp").get("lines") or {})

    @property
    def whatsapp(self) -> WhatsAppAccount | None:
        token = self._secret("whatsapp", "access_token")
        secret = self._secret("whatsapp", "app_secret")
        if not token or not secret:
            return None
        raw = self._section("whatsapp").get("optin_template")
        template = (
            OptInTemplate(raw["name"], raw["language"], tuple(raw.get("parameters") or ()))
            if raw
            else None
        )
        verify = self._secret("whatsapp", "verify_token") or ""
        return WhatsAppAccount(token, secret, verify, template)

    @property
    def employee_app_url(self) -> str | None:
        url = self._section("employee_app").get("url")
        return str(url) if url else None

    @property
    def employee_app_secret(self) -> str | None:
        return self._secret("employee_app", "signing_secret")

    def public(self) -> dict[str, Any]:
        """What the API shows: the settings, and for each secret only whether it is set."""
        shown: dict[str, Any] = {}
        for section, secret_names in SECRET_FIELDS.items():
            view = self._section(section)
            for name in secret_names:
                view[f"{name}_set"] = self._secret(section, name) is not None
            shown[section] = view
        shown["twilio"].setdefault("lines", [])
        shown["twilio"].setdefault("account_sid", None)
        shown["whatsapp"].setdefault("lines", {})
        shown["whatsapp"].setdefault("optin_template", None)
        shown["employee_app"].setdefault("url", None)
        return shown


def apply_patch(
    current: CarrierSettings, patch: dict[str, Any], own_lines: set[str], region: str = "US"
) -> CarrierSettings:
    """The settings after a partial change, or a clear error; secrets are set or cleared
    (``null``) but never read back."""
    config = {name: dict(current.config.get(name) or {}) for name in SECRET_FIELDS}
    secrets = {name: dict(current.secrets.get(name) or {}) for name in SECRET_FIELDS}
    for section, values in patch.items():
        if section not in SECRET_FIELDS:
            raise InvalidInput(f"Unknown provider section {section!r}.", code="invalid_provider")
        for key, value in (values or {}).items():
            if key in SECRET_FIELDS[section]:
                if value is None:
                    secrets[section].pop(key, None)
                elif not isinstance(value, str) or not value.strip():
                    raise InvalidInput(f"{section}.{key} must be a non-empty string.")
                else:
                    secrets[section][key] = value.strip()
            else:
                config[section][key] = _config_value(section, key, value, own_lines, region)
    updated = CarrierSettings(config, secrets)
    _check_complete(updated)
    return updated


def _config_value(section: str, key: str, value: Any, own_lines: set[str], region: str) -> Any:
    if section == "twilio" and key == "account_sid":
        if value is not None and (not isinstance(value, str) or not value.startswith("AC")):
            raise InvalidInput("twilio.account_sid is the account SID, starting with AC.")
        return value
    if section == "twilio" and key == "lines":
        return sorted({_own_line(number, own_lines, region) for number in value or []})
    if section == "whatsapp" and key == "lines":
        lines = {}
        for number, phone_number_id in dict(value or {}).items():
            if not str(phone_number_id).strip().isdigit():
                raise InvalidInput("whatsapp.lines maps each line to its phone number id.")
            lines[_own_line(number, own_lines, region)] = str(phone_number_id).strip()
        return lines
    if section == "whatsapp" and key == "optin_template":
        return _template(value)
    if section == "employee_app" and key == "url":
        if value is not None and not str(value).startswith(("https://", "http://")):
            raise InvalidInput("employee_app.url must be an http(s) URL.")
        return value
    raise InvalidInput(f"Unknown provider setting {section}.{key}.", code="invalid_provider")


def _own_line(number: Any, own_lines: set[str], region: str) -> str:
    e164 = to_e164(str(number), region)
    if e164 not in own_lines:
        raise InvalidInput(f"{e164} is not a line of this organization.", code="unknown_line")
    return e164


def _template(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, dict) or not value.get("name") or not value.get("language"):
        raise InvalidInput("whatsapp.optin_template needs a name and a language (like en_US).")
    parameters = list(value.get("parameters") or [])
    unknown = [p for p in parameters if p not in TEMPLATE_PARAMETERS]
    if unknown:
        raise InvalidInput(
            f"Unknown template parameter {unknown[0]!r}; use {', '.join(TEMPLATE_PARAMETERS)}."
        )
    return {
        "name": str(value["name"]),
        "language": str(value["language"]),
        "parameters": parameters,
    }


def _check_complete(settings: CarrierSettings) -> None:
    if settings.config["twilio"].get("lines") and settings.twilio is None:
        raise InvalidInput("Twilio lines need twilio.account_sid and twilio.auth_token.")
    if settings.whatsapp_lines and settings.whatsapp is None:
        raise InvalidInput("WhatsApp lines need whatsapp.access_token and whatsapp.app_secret.")
    if settings.employee_app_url and not settings.employee_app_secret:
        raise InvalidInput("The employee app needs employee_app.signing_secret.")
