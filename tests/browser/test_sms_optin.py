"""Setup > Feature Settings > SMS Opt-in in Chromium: the dialog, the mode, the refusals."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import Server, make_tenant, screenshot, settings_of, sign_in


def open_sms_optin(page: Page) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Setup").click()
    page.get_by_role("navigation", name="Setup").get_by_role(
        "link", name="Feature Settings"
    ).click()
    page.get_by_role("navigation", name="Feature Settings").get_by_role(
        "link", name="SMS Opt-in"
    ).click()
    expect(page.get_by_role("heading", name="SMS Opt-in", exact=True)).to_be_visible()


def test_enabling_goes_through_the_dialog_and_no_changes_nothing(
    page: Page, server: Server
) -> None:
    tenant = make_tenant(server, enabled=False)
    sign_in(page, tenant.admin)
    open_sms_optin(page)
    checkbox = page.get_by_label("Enable SMS Opt-in")
    expect(checkbox).not_to_be_checked()

    checkbox.check()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("enable SMS Opt-in")
    screenshot(page, "sms-optin-confirm")
    dialog.get_by_role("button", name="No").click()
    expect(dialog).to_be_hidden()
    expect(checkbox).not_to_be_checked()
    assert settings_of(server, tenant.root_id)["sms_optin"]["enabled"] is False

    checkbox.check()
    page.get_by_role("dialog").get_by_role("button", name="Yes").click()
    expect(page.get_by_role("status")).to_have_text("SMS Opt-in enabled.")
    expect(page.get_by_label("Enable SMS Opt-in")).to_be_checked()
    assert settings_of(server, tenant.root_id)["sms_optin"]["enabled"] is True


def test_switching_the_mode(page: Page, server: Server) -> None:
    tenant = make_tenant(server)
    sign_in(page, tenant.admin)
    open_sms_optin(page)
    expect(page.get_by_label("SMS Opt-in with Consent")).to_be_checked()
    page.get_by_label("SMS Opt-in Disclaimer").check()
    page.get_by_role("button", name="Save mode").click()
    expect(page.get_by_role("status")).to_have_text("Opt-in mode saved.")
    expect(page.get_by_label("SMS Opt-in Disclaimer")).to_be_checked()
    assert settings_of(server, tenant.root_id)["sms_optin"]["mode"] == "disclaimer"
    screenshot(page, "sms-optin")

    page.get_by_role("link", name="Settings history").click()
    newest = page.locator("ol.history > li").first
    expect(newest).to_contain_text("SMS Opt-in mode")
    expect(newest).to_contain_text(tenant.admin)
    expect(newest.locator(".old")).to_have_text("SMS Opt-in with Consent")
    expect(newest.locator(".new")).to_have_text("SMS Opt-in Disclaimer")


def test_group_messaging_with_consent_shows_the_notice_and_saves_nothing(
    page: Page, server: Server
) -> None:
    tenant = make_tenant(server)
    sign_in(page, tenant.admin)
    page.goto("/setup/feature-settings")
    page.get_by_label("Enable Group Messaging").check()
    page.get_by_role("button", name="Save").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text(
        "Group Message and SMS Opt-in with Consent cannot be enabled simultaneously."
    )
    expect(alert).to_contain_text("Nothing was saved.")
    assert settings_of(server, tenant.root_id)["group_messaging"]["enabled"] is False
    screenshot(page, "feature-settings-group-refused")


def test_an_organization_without_the_entitlement_sees_how_to_get_it(
    page: Page, server: Server
) -> None:
    tenant = make_tenant(server, entitled=False)
    sign_in(page, tenant.admin)
    open_sms_optin(page)
    expect(
        page.get_by_text(re.compile("please have your admin team reach out to the"))
    ).to_contain_text("service provider")
    expect(page.get_by_label("Enable SMS Opt-in")).to_have_count(0)
    expect(page.get_by_label("SMS Opt-in with Consent")).to_have_count(0)
    screenshot(page, "sms-optin-not-entitled")


def test_a_sub_organization_shows_the_inherited_values_read_only(
    page: Page, server: Server
) -> None:
    tenant = make_tenant(server)
    sign_in(page, tenant.admin)
    page.goto("/setup/feature-settings/sms-optin")
    page.get_by_label("Organization").select_option(str(tenant.sub_id))
    page.get_by_role("button", name="Switch").click()
    expect(page.get_by_text(f"Set on the main organization {tenant.name}.")).to_be_visible()
    expect(page.get_by_label("Enable SMS Opt-in")).to_be_checked()
    expect(page.get_by_label("Enable SMS Opt-in")).to_be_disabled()
    expect(page.get_by_label("SMS Opt-in with Consent")).to_be_disabled()
    expect(page.get_by_role("button", name="Save mode")).to_have_count(0)
    screenshot(page, "sms-optin-sub-organization")


def test_a_user_without_setup_sees_the_values_read_only(page: Page, server: Server) -> None:
    tenant = make_tenant(server)
    sign_in(page, tenant.viewer)
    page.goto("/setup/feature-settings/sms-optin")
    expect(page.get_by_text("Changing these settings needs the Setup privilege")).to_be_visible()
    expect(page.get_by_label("Enable SMS Opt-in")).to_be_disabled()
    expect(page.get_by_label("SMS Opt-in with Consent")).to_be_checked()
