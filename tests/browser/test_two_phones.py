"""Try it: two phones, in Chromium: the contact-initiated YES flow, live on both phones."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import Server, make_tenant, screenshot, sign_in


def test_the_guest_texts_first_is_asked_to_opt_in_and_replies_yes(
    page: Page, server: Server
) -> None:
    tenant = make_tenant(server)
    sign_in(page, tenant.admin)
    page.goto("/")
    page.get_by_role("link", name="Start here: Try it: two phones →").click()
    guest = page.locator("section.phone[data-side=contact]")
    employee = page.locator("section.phone[data-side=employee]")
    expect(guest.get_by_role("heading")).to_have_text("Guest's phone")
    expect(employee.get_by_role("heading")).to_have_text("Dana Whitfield's phone")

    guest.get_by_label("Message from Guest's phone").fill("Hi Dana, it's Jordan")
    guest.get_by_role("button", name="Send").click()
    expect(guest.locator(".send-result")).to_contain_text("held")
    guest_screen, employee_screen = guest.locator(".screen"), employee.locator(".screen")
    expect(guest_screen).to_contain_text("Hi Dana, it's Jordan")
    expect(guest_screen).to_contain_text("Held: waiting for consent")
    expect(guest_screen).to_contain_text("You are trying to reach Dana Whitfield.")
    expect(employee_screen).to_contain_text("A contact has attempted to send you a message.")
    expect(employee_screen).not_to_contain_text("it's Jordan")
    expect(guest_screen).to_contain_text("Pending consent")

    guest.get_by_label("Message from Guest's phone").fill("yes")
    guest.get_by_label("Message from Guest's phone").press("Enter")
    expect(guest_screen).to_contain_text("Opt in confirmed. To opt out at any time, reply STOP.")
    expect(employee_screen).to_contain_text("Your Contact has opted in.")
    expect(employee_screen).to_contain_text("Hi Dana, it's Jordan")
    expect(employee_screen).to_contain_text("Opted in")

    employee.get_by_label("Message from Dana Whitfield's phone").fill("Hello Jordan!")
    employee.get_by_role("button", name="Send").click()
    expect(guest_screen).to_contain_text("Hello Jordan!")
    screenshot(page, "try-two-phones")

    page.get_by_role("link", name="Conversations").click()
    page.get_by_role("link", name="+15550199001").click()
    expect(page.get_by_role("heading", name="Consent: Opted in")).to_be_visible()
    guest_view = page.locator("section", has=page.get_by_role("heading", name="Guest View"))
    expect(guest_view).to_contain_text("You are trying to reach Dana Whitfield.")
    expect(guest_view.locator(".bubble.auto").first).to_contain_text("Auto message")
    archive = page.get_by_role("table").first
    expect(archive).to_contain_text("consent evidence")
    expect(archive.locator("tr.evidence")).to_contain_text("yes")
    screenshot(page, "conversations")


def test_a_user_without_messaging_is_told_why_there_are_no_phones(
    page: Page, server: Server
) -> None:
    tenant = make_tenant(server)
    sign_in(page, tenant.viewer)
    page.goto("/try")
    expect(page.get_by_role("note")).to_contain_text("needs the Messaging privilege")
    expect(page.locator("section.phone")).to_have_count(0)
