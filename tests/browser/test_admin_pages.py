"""Users and the operator's pages in Chromium."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import (
    OPERATOR_EMAIL,
    Server,
    make_tenant,
    screenshot,
    settings_of,
    sign_in,
)


def test_an_admin_adds_a_person_with_privileges(page: Page, server: Server) -> None:
    tenant = make_tenant(server)
    sign_in(page, tenant.admin)
    page.goto("/setup/users")
    page.get_by_label("Name").fill("Casey Compliance")
    page.get_by_label("Email").fill(f"casey-{tenant.root_id}@acme.test")
    page.get_by_label("Initial password").fill("casey password 1")
    page.locator("#new-reports").check()
    page.get_by_role("button", name="Add user").click()
    expect(page.get_by_role("status")).to_contain_text("Added casey-")
    row = page.get_by_role("row", name="Casey Compliance")
    expect(row.get_by_label("Reports")).to_be_checked()
    expect(row.get_by_label("Setup")).not_to_be_checked()
    screenshot(page, "users")


def test_the_operator_creates_an_organization_and_grants_sms_optin(
    page: Page, server: Server
) -> None:
    sign_in(page, OPERATOR_EMAIL)
    page.get_by_role("link", name="Operator", exact=True).click()
    page.get_by_label("Name").fill("Globex Clinic")
    page.get_by_role("button", name="Create organization").click()
    expect(page.get_by_role("status")).to_contain_text("Created Globex Clinic")
    expect(page.get_by_label("Organization")).to_have_value(
        page.get_by_label("Organization")
        .locator("option", has_text="Globex Clinic")
        .first.get_attribute("value")
        or ""
    )
    org_id = int(page.get_by_label("Organization").input_value())
    page.get_by_role("button", name="Grant SMS Opt-in to Globex Clinic").click()
    expect(page.get_by_role("status")).to_contain_text("SMS Opt-in granted to Globex Clinic")
    assert settings_of(server, org_id)["sms_optin"]["entitled"] is True
    screenshot(page, "operator-organizations")
    page.get_by_role("button", name="Withdraw SMS Opt-in from Globex Clinic").click()
    dialog = page.get_by_role("alertdialog", name="Withdraw SMS Opt-in from Globex Clinic?")
    expect(dialog).to_contain_text("SMS Opt-in stops for Globex Clinic")
    screenshot(page, "operator-withdraw-confirm")
    dialog.get_by_role("link", name="Cancel").click()
    assert settings_of(server, org_id)["sms_optin"]["entitled"] is True
    page.get_by_role("button", name="Withdraw SMS Opt-in from Globex Clinic").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Withdraw SMS Opt-in").click()
    expect(page.get_by_role("status")).to_contain_text("withdrawn from Globex Clinic")
    assert settings_of(server, org_id)["sms_optin"]["entitled"] is False
