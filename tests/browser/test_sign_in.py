"""Sign-in in Chromium: a wrong password is refused, the right one opens the portal."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import PASSWORD, Server, make_tenant, screenshot, sign_in


def test_home_page_points_a_new_user_to_the_two_phones(page: Page, server: Server) -> None:
    page.goto("/")
    start = page.get_by_role("link", name="Start here: Try it: two phones →")
    expect(start).to_have_attribute("href", "/try")
    screenshot(page, "home")


def test_a_wrong_password_is_refused_and_the_right_one_signs_in(page: Page, server: Server) -> None:
    tenant = make_tenant(server)
    page.goto("/login")
    expect(page.get_by_role("heading", name="Sign in to ConsentLine")).to_be_visible()
    screenshot(page, "login")
    page.get_by_label("Email").fill(tenant.admin)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("The email or password is not right.")
    screenshot(page, "login-wrong-password")

    # Keyboard only: the fields and the button are reached with Tab, Enter submits.
    page.get_by_label("Email").fill("")
    page.get_by_label("Email").focus()
    page.keyboard.type(tenant.admin)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Sign in")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{server.url}/try")
    expect(page.get_by_role("heading", name="Try it: two phones")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{server.url}/login")
    page.goto("/setup/templates")
    expect(page).to_have_url(f"{server.url}/login?next=/setup/templates")


def test_the_organization_picker_lists_the_tree(page: Page, server: Server) -> None:
    tenant = make_tenant(server)
    sign_in(page, tenant.admin)
    picker = page.get_by_label("Organization")
    expect(picker.locator("option")).to_have_count(2)
    expect(picker.locator("option").nth(0)).to_have_text(tenant.name)
    expect(picker.locator("option").nth(1)).to_contain_text("West Region")
