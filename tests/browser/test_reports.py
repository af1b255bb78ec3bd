"""Reports > SMS Opt-in > SMS Opt-In Report in Chromium: toggle, filters, chart, download."""

from __future__ import annotations

import csv
import io

from playwright.sync_api import Page, expect

from consentline.app import utc_now
from consentline.domain.messages import Channel
from consentline.service import messaging, orgs as org_service
from consentline.service.demo import SYSTEM
from consentline.service.unit_of_work import UnitOfWork
from tests.browser.conftest import PASSWORD, Server, make_tenant, screenshot, sign_in


def _inbound(server: Server, line: str, contact: str, body: str) -> None:
    with UnitOfWork(server.engine) as uow:
        messaging.receive_inbound(
            uow, SYSTEM, line=line, sender=contact, body=body, channel=Channel.SMS, now=utc_now()
        )


def test_a_compliance_user_runs_filters_and_downloads_the_report(
    page: Page, server: Server
) -> None:
    tenant = make_tenant(server)
    _inbound(server, tenant.line, "+15557010001", "Hi Dana")
    _inbound(server, tenant.line, "+15557010002", "Hello")
    _inbound(server, tenant.line, "+15557010002", "YES")
    sign_in(page, tenant.viewer)
    page.get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", name="Reports Menu")).to_be_visible()
    expect(page.get_by_role("heading", name="SMS Opt-in")).to_be_visible()
    page.get_by_role("link", name="SMS Opt-In Report").click()

    expect(page.get_by_role("link", name="With Consent")).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("heading", name="2 consent records")).to_be_visible()
    opted_in = page.get_by_role("row", name="+15557010002")
    expect(opted_in).to_contain_text("Opted in")
    expect(opted_in).to_contain_text("YES")
    expect(page.get_by_role("img", name="Consent records per day of last change")).to_be_visible()
    # The chart counts the table's rows: 1 opted in, 1 pending (not 2 pending requests).
    expect(page.locator("g[data-series='opted_in']")).to_have_attribute("data-total", "1")
    expect(page.locator("g[data-series='pending']")).to_have_attribute("data-total", "1")
    screenshot(page, "sms-optin-report")

    page.get_by_label("State").select_option(label="Pending consent")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_role("heading", name="1 consent record")).to_be_visible()
    expect(page.get_by_role("row", name="+15557010001")).to_contain_text("Pending consent")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download CSV").click()
    content = download_info.value.path().read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(content)))
    assert [row[4] for row in rows[1:]] == ["+15557010001"]

    page.get_by_label("Sub-organization").select_option(label="— West Region")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_role("heading", name="0 consent records")).to_be_visible()

    page.get_by_role("link", name="With Disclaimer").click()
    expect(page.get_by_role("link", name="With Disclaimer")).to_have_attribute(
        "aria-current", "page"
    )
    expect(page.get_by_text("No consent record matches these filters.")).to_be_visible()


def test_the_proof_link_opens_the_printable_evidence(page: Page, server: Server) -> None:
    tenant = make_tenant(server)
    _inbound(server, tenant.line, "+15557010003", "Hi Dana")
    _inbound(server, tenant.line, "+15557010003", "yes")
    sign_in(page, tenant.viewer)
    page.goto("/reports/sms-optin")
    page.get_by_role("row", name="+15557010003").get_by_role("link", name="Proof").click()
    expect(page.get_by_role("heading", name="Consent evidence")).to_be_visible()
    expect(page.get_by_text("You are trying to reach Dana Whitfield.")).to_be_visible()
    expect(page.get_by_text("is intact")).to_be_visible()


def test_reports_are_hidden_without_the_reports_privilege(page: Page, server: Server) -> None:
    tenant = make_tenant(server)
    email = f"texter-{tenant.root_id}@acme.test"
    with UnitOfWork(server.engine) as uow:
        org_service.create_user(
            uow, SYSTEM, tenant.root_id, email, "Tex Texter", PASSWORD, ["messaging"], utc_now()
        )
    sign_in(page, email)
    expect(page.get_by_role("link", name="Reports")).to_have_count(0)
    response = page.goto("/reports/sms-optin")
    assert response is not None
    assert response.status == 403
