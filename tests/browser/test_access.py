"""Sessions, password resets, deactivation and API keys in Chromium."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import PASSWORD, Server, make_tenant, screenshot, sign_in


def test_a_cookie_saved_before_sign_out_is_refused_after_it(
    page: Page, server: Server, browser: Browser
) -> None:
    tenant = make_tenant(server)
    sign_in(page, tenant.admin)
    page.goto("/setup/users")
    expect(page.get_by_role("heading", name="Users")).to_be_visible()
    saved = page.context.cookies()
    assert [c["name"] for c in saved] == ["consentline_session"]
    assert saved[0]["httpOnly"] is True
    assert saved[0]["sameSite"] == "Lax"
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("status")).to_have_text("You are signed out.")

    replay = browser.new_context(base_url=server.url)
    replay.add_cookies(saved)
    other = replay.new_page()
    other.goto("/setup/users")
    expect(other).to_have_url(f"{server.url}/login?next=/setup/users")
    expect(other.get_by_role("heading", name="Sign in to ConsentLine")).to_be_visible()
    replay.close()


def test_a_reset_link_sets_a_password_once(page: Page, server: Server, browser: Browser) -> None:
    tenant = make_tenant(server)
    sign_in(page, tenant.admin)
    page.goto("/setup/users")
    page.get_by_role("button", name=f"Reset password of {tenant.viewer}").click()
    expect(
        page.get_by_role("heading", name=f"Password reset link for {tenant.viewer}")
    ).to_be_visible()
    link = page.get_by_label("Reset link").input_value()
    assert "/reset-password/" in link
    screenshot(page, "users-reset-link")

    context = browser.new_context(base_url=server.url)
    viewer = context.new_page()
    viewer.goto(link)
    expect(viewer.get_by_text(f"For {tenant.viewer}.")).to_be_visible()
    viewer.get_by_label("New password", exact=True).fill("viewer")
    viewer.get_by_label("New password again").fill("viewer")
    # The browser itself asks for 10 characters first; the server checks the rest.
    viewer.get_by_label("New password", exact=True).fill("vvvvvvvvvvvv")
    viewer.get_by_label("New password again").fill("vvvvvvvvvvvv")
    viewer.get_by_role("button", name="Set password").click()
    expect(viewer.get_by_role("alert")).to_have_text(
        "The password must use at least 5 different characters."
    )
    viewer.get_by_label("New password", exact=True).fill("a fresh viewer password")
    viewer.get_by_label("New password again").fill("a fresh viewer password")
    screenshot(viewer, "reset-password")
    viewer.get_by_role("button", name="Set password").click()
    expect(viewer).to_have_url(f"{server.url}/login")
    expect(viewer.get_by_role("status")).to_have_text("Your password is set: sign in with it.")
    sign_in(viewer, tenant.viewer, "a fresh viewer password")

    viewer.goto(link)
    expect(viewer.get_by_role("alert")).to_contain_text("already used")
    expect(viewer.get_by_role("button", name="Set password")).to_have_count(0)
    context.close()


def test_deactivating_asks_first_and_names_what_happens(
    page: Page, server: Server, browser: Browser
) -> None:
    tenant = make_tenant(server)
    context = browser.new_context(base_url=server.url)
    viewer = context.new_page()
    sign_in(viewer, tenant.viewer)
    sign_in(page, tenant.admin)
    page.goto("/setup/users")
    page.get_by_role("link", name=f"Deactivate {tenant.viewer}").click()
    expect(page.get_by_role("heading", name="Deactivate Val Viewer?")).to_be_visible()
    expect(page.get_by_role("note")).to_contain_text(
        f"{tenant.viewer} is signed out of 1 session at once."
    )
    screenshot(page, "users-deactivate")
    page.get_by_role("link", name="Cancel").click()
    viewer.reload()
    expect(viewer.get_by_role("button", name="Sign out")).to_be_visible()

    page.get_by_role("link", name=f"Deactivate {tenant.viewer}").click()
    page.get_by_role("button", name=f"Deactivate {tenant.viewer}").click()
    expect(page.get_by_role("status")).to_contain_text("is deactivated")
    expect(page.get_by_role("button", name=f"Reactivate {tenant.viewer}")).to_be_visible()
    viewer.goto("/setup/history")
    expect(viewer).to_have_url(f"{server.url}/login?next=/setup/history")
    context.close()


def test_an_api_key_is_shown_once_and_revoked_after_confirmation(
    page: Page, server: Server
) -> None:
    tenant = make_tenant(server)
    sign_in(page, tenant.admin)
    page.get_by_role("link", name="Setup").click()
    page.get_by_role("link", name="API keys").click()
    page.get_by_label("Name").fill("CRM integration")
    page.get_by_label("Reports").check()
    page.get_by_role("button", name="Make key").click()
    key = page.get_by_label("API key").input_value()
    assert key.startswith("cl_")
    screenshot(page, "api-keys")
    response = page.request.get(
        f"/api/v1/orgs/{tenant.root_id}", headers={"Authorization": f"Bearer {key}"}
    )
    assert response.status == 200

    page.get_by_role("link", name="Revoke CRM integration").click()
    expect(page.get_by_role("note")).to_contain_text("This cannot be undone")
    screenshot(page, "api-keys-revoke")
    page.get_by_role("button", name="Revoke “CRM integration”").click()
    expect(page.get_by_role("status")).to_contain_text("is revoked")
    response = page.request.get(
        f"/api/v1/orgs/{tenant.root_id}", headers={"Authorization": f"Bearer {key}"}
    )
    assert response.status == 401


def test_the_account_page_signs_out_everywhere(
    page: Page, server: Server, browser: Browser
) -> None:
    tenant = make_tenant(server)
    context = browser.new_context(base_url=server.url)
    laptop = context.new_page()
    sign_in(laptop, tenant.admin)
    sign_in(page, tenant.admin, PASSWORD)
    page.get_by_role("link", name="Alex Admin (your account)").click()
    expect(page.get_by_role("heading", name="Signed-in sessions")).to_be_visible()
    expect(page.get_by_role("row")).to_have_count(3)  # the header and two sessions
    screenshot(page, "account")
    page.get_by_role("button", name="Sign out everywhere").click()
    expect(page).to_have_url(f"{server.url}/login")
    # The phones page polls: it may already have gone to the sign-in page by itself.
    laptop.goto("/setup/users")
    expect(laptop).to_have_url(f"{server.url}/login?next=/setup/users")
    context.close()
