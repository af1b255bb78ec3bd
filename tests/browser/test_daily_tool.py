"""The portal as a compliance officer uses it, in Chromium: search and paging, the report at
1280 px, the settings history; axe-core checks each page."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import Page, expect

from consentline.app import utc_now
from consentline.domain.messages import Channel
from consentline.service import messaging, settings as settings_service
from consentline.service.demo import SYSTEM
from consentline.service.unit_of_work import UnitOfWork
from tests.browser.axe import assert_accessible, load_axe
from tests.browser.conftest import Server, Tenant, make_tenant, sign_in


def _inbound(server: Server, tenant: Tenant, contact: str, body: str, minutes: int = 0) -> None:
    with UnitOfWork(server.engine) as uow:
        messaging.receive_inbound(
            uow,
            SYSTEM,
            line=tenant.line,
            sender=contact,
            body=body,
            channel=Channel.SMS,
            now=utc_now() + timedelta(minutes=minutes),
        )


def test_search_by_words_and_contact_then_page_through(page: Page, server: Server) -> None:
    tenant = make_tenant(server)
    for n in range(27):
        _inbound(server, tenant, f"+1555703{n:04d}", f"Question {n} about my mortgage", n)
    _inbound(server, tenant, "+15557030005", "Can we meet about the appointment?", 30)
    _inbound(server, tenant, "+15557030005", "YES", 31)  # a change of consent: now the newest
    load_axe(page)
    sign_in(page, tenant.viewer)
    page.get_by_role("link", name="Conversations").first.click()
    expect(page.get_by_role("heading", name="27 conversations")).to_be_visible()
    expect(page.get_by_text("Page 1 of 2", exact=True)).to_be_visible()
    rows = page.get_by_role("table").locator("tbody tr")
    expect(rows).to_have_count(25)
    expect(rows.first).to_contain_text("+15557030005")  # the newest change first
    assert_accessible(page)

    page.get_by_role("link", name="Next →").click()
    expect(rows).to_have_count(2)
    expect(page.get_by_text("Page 2 of 2", exact=True)).to_be_visible()

    page.get_by_label("Words in messages").fill("appoint")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="1 conversation found")).to_be_visible()
    expect(rows).to_have_count(1)

    page.get_by_role("link", name="Clear filters").click()
    page.get_by_label("Contact number").fill("(555) 703-0012")
    page.get_by_label("Consent").select_option(label="Pending consent")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="1 conversation found")).to_be_visible()
    page.get_by_role("link", name="+15557030012").click()
    expect(page.get_by_role("heading", name="Consent: Pending consent")).to_be_visible()
    expect(page.get_by_text("The contact texted first")).to_be_visible()
    assert_accessible(page)

    page.goto("/conversations?state=maybe&from=yesterday")
    expect(page.get_by_role("alert")).to_contain_text("Consent:")
    expect(page.get_by_role("alert")).to_contain_text("Last change from:")
    expect(page.get_by_role("heading", name="27 conversations")).to_be_visible()


def test_the_report_fits_1280_and_its_chart_matches_the_table(page: Page, server: Server) -> None:
    tenant = make_tenant(server)
    long = "Yes please, and thank you for explaining the consent process so carefully today " * 2
    for n in range(12):
        _inbound(server, tenant, f"+1555704{n:04d}", f"Hello {n}")
    for n in range(3):
        _inbound(server, tenant, f"+1555704{n:04d}", "YES")
    _inbound(server, tenant, "+15557040003", "STOP")
    _inbound(server, tenant, "+15557040004", long)
    load_axe(page)
    sign_in(page, tenant.viewer)
    for width in (1280, 1440):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto("/reports/sms-optin")
        expect(page.get_by_role("heading", name="12 consent records")).to_be_visible()
        table = page.locator("table.report-table")
        fits = table.evaluate("t => t.scrollWidth <= t.parentElement.clientWidth")
        assert fits, f"the report table is wider than its card at {width} px"
        for name in ("Decided at (UTC)", "Deciding message", "Evidence"):
            box = page.get_by_role("columnheader", name=name).bounding_box()
            assert box is not None
            assert box["x"] + box["width"] <= width, (name, width)
        proof = page.get_by_role("link", name="Proof for +15557040000")
        box = proof.bounding_box()
        assert box is not None
        assert box["x"] + box["width"] <= width

    totals = {
        key: int(page.locator(f"g[data-series='{key}']").get_attribute("data-total") or 0)
        for key in ("opted_in", "opted_out", "pending")
    }
    assert totals == {"opted_in": 3, "opted_out": 1, "pending": 8}
    assert sum(totals.values()) == 12  # the table's count
    for key in totals:  # every series is drawn, none hidden under another
        expect(page.locator(f"g[data-series='{key}'] rect").first).to_be_visible()
    chart_days = page.locator("svg.chart > text[text-anchor='middle']").count()
    assert chart_days <= 2  # the range is the data's (today), not 14 empty weeks
    assert_accessible(page)


def test_settings_history_reads_as_before_and_after_with_a_word_diff(
    page: Page, server: Server
) -> None:
    tenant = make_tenant(server)
    with UnitOfWork(server.engine) as uow:
        settings_service.change_settings(
            uow,
            SYSTEM,
            tenant.root_id,
            {"keywords": {"opt_out_synonyms": ["STOPALL", "QUIT", "HALT"]}},
            utc_now(),
        )
    load_axe(page)
    sign_in(page, tenant.admin)
    page.goto("/setup/templates")
    text = page.get_by_label("Text of “Opt-in confirmation, when the contact texted first”")
    text.fill(
        "[Auto Message] Thank you: opt in confirmed. To opt out at any time, reply <Opt-out Text>."
    )
    page.locator("#template-mt_confirmation").get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Saved")

    page.get_by_role("link", name="Settings history").click()
    newest = page.locator("ol.history > li").first
    expect(newest).to_contain_text(
        "changed Template: Opt-in confirmation, when the contact texted first"
    )
    expect(newest.locator("del")).to_have_text(["Opt"])  # word by word, the rest unchanged
    expect(newest.locator("ins")).to_have_text(["Thank you: opt"])
    keywords = page.locator("ol.history > li", has_text="Also accepted as opt-out")
    expect(keywords.locator("ins")).to_have_text(["HALT"])
    expect(keywords.locator("del", has_text="UNSUBSCRIBE")).to_have_count(1)
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 2400, height  # a template change is a few lines, not a 3,800 px column
    assert "sms_optin.enabled" not in page.content()
    assert_accessible(page)
