"""Templates and keywords in Chromium: a live preview, segments, unknown placeholders."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import Server, make_tenant, screenshot, settings_of, sign_in


def test_a_template_edit_with_its_live_preview(page: Page, server: Server) -> None:
    tenant = make_tenant(server)
    sign_in(page, tenant.admin)
    page.get_by_role("link", name="Setup").click()
    page.get_by_role("link", name="Templates and keywords").click()
    expect(page.locator("section.template-card")).to_have_count(14)
    expect(page.get_by_label("Opt-in text")).to_have_value("YES")
    expect(page.get_by_label("Opt-out text")).to_have_value("STOP")

    card = page.locator("#template-mt_request")
    preview = card.locator(".preview")
    expect(preview).to_contain_text("You are trying to reach Dana Whitfield.")
    expect(preview).to_contain_text("2 SMS segments")

    text = card.get_by_label("Text of “Opt-in request, when the contact texts first”")
    text.fill("Hi, <Employee Name> here. Reply <Opt-in Text> for texts from <Guest>")
    expect(card.get_by_role("alert")).to_contain_text("Unknown placeholder <Guest>")
    # A request must say how to opt out too (safe templates): shown while typing.
    text.fill("Hi, <Employee Name> here {€}. Reply <Opt-in Text> to get texts.")
    expect(card.get_by_role("alert")).to_contain_text("must say how to opt out")
    text.fill("Hi, <Employee Name> here {€}. Reply <Opt-in Text> or <Opt-out Text>.")
    expect(preview).to_contain_text("Hi, Dana Whitfield here {€}. Reply YES or STOP.")
    expect(preview).to_contain_text("47 characters")
    expect(preview).to_contain_text("1 SMS segment")
    expect(preview).to_contain_text("50/160 units")
    expect(card.get_by_role("alert")).to_have_count(0)
    screenshot(page, "templates-preview")

    card.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Saved")
    assert settings_of(server, tenant.root_id)["templates"]["mt_request"] == (
        "Hi, <Employee Name> here {€}. Reply <Opt-in Text> or <Opt-out Text>."
    )
    expect(page.locator("#template-mt_request .badge.custom")).to_be_visible()
    screenshot(page, "templates")
