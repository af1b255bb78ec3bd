"""The audit log page and the confirmations, in Chromium against the real server."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import Server, make_tenant, screenshot, sign_in


def test_a_line_retired_after_confirmation_shows_in_the_audit_log(
    page: Page, server: Server
) -> None:
    tenant = make_tenant(server)
    sign_in(page, tenant.admin)
    page.goto("/setup/lines")
    page.get_by_label("Number").fill("+1 555 010 9901")
    page.get_by_label("Employee", exact=True).fill("Grace Hopper")
    page.get_by_role("button", name="Add line").click()
    expect(page.get_by_role("status")).to_contain_text("Added the line +15550109901 (Grace Hopper)")
    page.get_by_label("Employee of +15550109901").fill("Grace B. Hopper")
    page.get_by_role("button", name="Rename +15550109901").click()
    expect(page.get_by_role("status")).to_contain_text("+15550109901 is now Grace B. Hopper's line")

    page.get_by_role("button", name="Retire +15550109901").click()
    dialog = page.get_by_role("alertdialog", name="Retire +15550109901?")
    expect(dialog).to_contain_text("will refuse every new message")
    expect(dialog).to_contain_text("archive are kept")
    screenshot(page, "lines-retire-confirm")
    dialog.get_by_role("link", name="Cancel").click()
    expect(page.get_by_role("button", name="Retire +15550109901")).to_be_visible()
    page.get_by_role("button", name="Retire +15550109901").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Retire the line").click()
    expect(page.get_by_role("status")).to_contain_text("Retired +15550109901")
    expect(page.get_by_role("button", name="Bring back +15550109901")).to_be_visible()
    screenshot(page, "lines")

    page.get_by_role("link", name="Audit log").click()
    table = page.get_by_role("table")
    expect(table).to_contain_text("line.retired")
    expect(table).to_contain_text("line.changed")
    expect(table).to_contain_text('employee_name: "Grace B. Hopper"')
    expect(table).to_contain_text("sign_in.succeeded")
    screenshot(page, "audit-log")
    page.get_by_label("Action").fill("line.retired")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_text("1 record · page 1 of 1")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    text = download.value.path().read_text(encoding="utf-8")
    assert text.splitlines()[0] == "id,at,actor,action,target_type,target_id,before,after,source"
    assert len(text.strip().splitlines()) == 2
    assert ",line.retired,line," in text


def test_releasing_a_legal_hold_and_purging_ask_for_confirmation(
    page: Page, server: Server
) -> None:
    tenant = make_tenant(server)
    sign_in(page, tenant.admin)
    page.goto("/setup/retention")
    page.get_by_label("Reason").fill("SEC inquiry 2026-114")
    page.get_by_role("button", name="Place a legal hold").click()
    expect(page.get_by_role("status")).to_contain_text("Legal hold placed")
    expect(page.get_by_role("button", name="Purge now…")).to_be_disabled()
    page.get_by_role("button", name="Release the legal hold").click()
    dialog = page.get_by_role("alertdialog", name="Release the legal hold?")
    expect(dialog).to_contain_text("SEC inquiry 2026-114")
    expect(dialog).to_contain_text("permanently remove")
    dialog.get_by_role("button", name="Release the hold").click()
    expect(page.get_by_role("status")).to_contain_text("Legal hold released")
    page.get_by_role("button", name="Purge now…").click()
    dialog = page.get_by_role("alertdialog", name="Purge the archive?")
    expect(dialog).to_contain_text(f"0 conversations of {tenant.name}")
    expect(dialog).to_contain_text("cannot be undone")
    screenshot(page, "retention-purge-confirm")
    dialog.get_by_role("button", name="Purge permanently").click()
    expect(page.get_by_role("status")).to_contain_text("Purged 0 conversations")
    page.get_by_role("link", name="Audit log").click()
    table = page.get_by_role("table")
    expect(table).to_contain_text("retention.purged")
    expect(table).to_contain_text("legal_hold.released")
    expect(table).to_contain_text("legal_hold.placed")


def test_a_reports_user_reads_the_audit_log_but_has_no_lines_page(
    page: Page, server: Server
) -> None:
    tenant = make_tenant(server)
    sign_in(page, tenant.viewer)
    page.get_by_role("link", name="Audit log").click()
    expect(page.get_by_role("heading", name="Audit log")).to_be_visible()
    page.goto("/setup/feature-settings")
    expect(
        page.get_by_role("navigation", name="Setup").get_by_role("link", name="Lines")
    ).to_have_count(0)
