"""Setup > Feature Settings (group messaging) and Setup > Feature Settings > SMS Opt-in."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Form, Response

from consentline.domain.errors import DomainError, SettingConflict
from consentline.domain.translations import LANGUAGE_NAMES
from consentline.portal.web import Page, PageDep, checked, portal_router
from consentline.service import settings as settings_service
from consentline.service.access import Privilege
from consentline.web.errors import status_of

router = portal_router()
FEATURES = "/setup/feature-settings"
SMS_OPTIN = "/setup/feature-settings/sms-optin"
MODES = (("consent", "SMS Opt-in with Consent"), ("disclaimer", "SMS Opt-in Disclaimer"))
SCOPES = (
    ("line", "One line", "A decision holds for one line, contact and channel."),
    (
        "organization",
        "Every line, per channel",
        "An opt-out on any line blocks every line of the organization for that contact on "
        "that channel; an opt-in is still asked per line.",
    ),
    (
        "organization_all_channels",
        "Every line and every channel",
        "The same across SMS and WhatsApp: the FCC's revoke-all.",
    ),
)


def _view(page: Page) -> dict[str, Any]:
    """The effective settings, and whether this caller may change them here."""
    org = page.picked
    document = settings_service.get_settings(page.uow, page.principal, org.id)
    principal = page.principal
    has_setup = principal.is_operator or Privilege.SETUP.value in principal.privileges
    inherited = document.get("inherited_from")
    return {
        "settings": document,
        "inherited_from": inherited,
        "has_setup": has_setup,
        "can_edit": has_setup and inherited is None,
        "modes": MODES,
        "scopes": SCOPES,
        "languages": list(LANGUAGE_NAMES.items()),
    }


def _change(page: Page, patch: dict[str, Any], template: str, saved: str) -> Response:
    try:
        settings_service.change_settings(page.uow, page.principal, page.picked.id, patch, page.now)
    except DomainError as error:
        view = _view(page)
        notice = isinstance(error, SettingConflict)
        return page.render(template, status_of(error), error=error.message, notice=notice, **view)
    return page.redirect(page.request.url.path, saved)


@router.get(FEATURES)
def feature_settings(page: PageDep) -> Response:
    return page.render("setup/feature-settings/index.html", **_view(page))


@router.post(FEATURES)
def save_feature_settings(
    page: PageDep, group_messaging: Annotated[str | None, Form()] = None
) -> Response:
    patch = {"group_messaging": {"enabled": checked(group_messaging)}}
    return _change(page, patch, "setup/feature-settings/index.html", "Feature settings saved.")


@router.get(SMS_OPTIN)
def sms_optin(page: PageDep) -> Response:
    return page.render("setup/feature-settings/sms-optin.html", **_view(page))


@router.post(SMS_OPTIN)
def save_sms_optin(
    page: PageDep,
    action: Annotated[str, Form()],
    enabled: Annotated[str | None, Form()] = None,
    mode: Annotated[str | None, Form()] = None,
    confirm: Annotated[str | None, Form()] = None,
    languages: Annotated[list[str] | None, Form()] = None,
    default_language: Annotated[str, Form()] = "",
    support_contact: Annotated[str, Form()] = "",
    consent_scope: Annotated[str, Form()] = "",
) -> Response:
    template = "setup/feature-settings/sms-optin.html"
    if action == "enabled":
        wanted = checked(enabled)
        if confirm != "yes":
            # Without script the confirmation dialog comes from the server; nothing is saved.
            return page.render(template, confirm_enabled=wanted, **_view(page))
        verb = "enabled" if wanted else "disabled"
        return _change(page, {"sms_optin": {"enabled": wanted}}, template, f"SMS Opt-in {verb}.")
    if action == "mode":
        return _change(page, {"sms_optin": {"mode": mode or ""}}, template, "Opt-in mode saved.")
    if action == "compliance":
        chosen = list(languages or [])
        if default_language:  # the default goes first, and is enabled
            chosen = [default_language, *(code for code in chosen if code != default_language)]
        patch = {
            "languages": chosen,
            "support_contact": support_contact,
            "consent_scope": consent_scope,
        }
        return _change(page, patch, template, "Languages, HELP and consent scope saved.")
    return page.render(template, 422, error=f"Unknown action {action!r}.", **_view(page))
