"""The Conversations page: search, paging and counts; a conversation as each side saw it."""

from __future__ import annotations

from sqlalchemy import Engine

from consentline.domain.messages import Channel
from consentline.service import messaging
from consentline.service.demo import SYSTEM
from consentline.service.unit_of_work import UnitOfWork
from tests.helpers import FakeClock
from tests.integration.portal.support import Portal, PortalTenant

LINE = "+15550001001"


def inbound(engine: Engine, clock: FakeClock, contact: str, body: str) -> None:
    with UnitOfWork(engine) as uow:
        messaging.receive_inbound(
            uow, SYSTEM, line=LINE, sender=contact, body=body, channel=Channel.SMS, now=clock()
        )


def outbound(engine: Engine, clock: FakeClock, contact: str, body: str) -> None:
    with UnitOfWork(engine) as uow:
        messaging.send_outbound(
            uow, SYSTEM, line=LINE, to=contact, body=body, channel=Channel.SMS, now=clock()
        )


def test_search_filters_pages_and_counts(
    portal: Portal, tenant: PortalTenant, engine: Engine, clock: FakeClock
) -> None:
    for n in range(30):
        clock.advance(minutes=1)
        inbound(engine, clock, f"+1555777{n:04d}", f"Question number {n} about my loan")
    clock.advance(minutes=1)
    inbound(engine, clock, "+15557770007", "YES")
    portal.sign_in(tenant.admin)

    first = portal.get("/conversations")
    assert first.status_code == 200
    assert "30 conversations" in first.text
    assert "Pending consent: 29" in first.text
    assert "Opted in: 1" in first.text
    assert first.text.count('href="/conversations/view?') == 25
    assert "Page 1 of 2" in first.text
    # The newest change first: the contact who just said YES.
    assert first.text.index("+15557770007") < first.text.index("+15557770029")

    within = portal.get(f"/conversations?org={tenant.root_id}&sort=oldest")
    assert f"org={tenant.root_id}&amp;sort=oldest&amp;page=2" in within.text  # filters kept
    second = portal.get("/conversations?page=2")
    assert second.text.count('href="/conversations/view?') == 5
    assert "+15557770000" in second.text

    found = portal.get("/conversations", params={"contact": "(555) 777-0012"})
    assert "1 conversation found" in found.text
    assert "+15557770012" in found.text
    words = portal.get("/conversations", params={"q": "number 17"})
    assert "1 conversation found" in words.text
    assert "+15557770017" in words.text
    state = portal.get("/conversations", params={"state": "opted_in", "line": "ada"})
    assert "1 conversation found" in state.text


def test_bad_query_values_show_the_page_with_a_message(
    portal: Portal, tenant: PortalTenant, engine: Engine, clock: FakeClock
) -> None:
    inbound(engine, clock, "+15557770001", "hello")
    portal.sign_in(tenant.viewer)
    for query, message in (
        ("state=maybe", "Consent:"),
        ("channel=fax", "Channel:"),
        ("from=yesterday", "Last change from:"),
        ("page=-3", "Page:"),
        ("org=99999999999999999999", "Organization:"),
        ("contact=not-a-number", "not a phone number"),
        ("from=2026-02-01&to=2026-01-01", "first day comes after the last"),
    ):
        response = portal.get(f"/conversations?{query}")
        assert response.status_code == 200, query
        assert "text/html" in response.headers["content-type"]
        assert message in response.text, query


def test_a_conversation_shows_plain_names_and_the_release_order(
    portal: Portal, tenant: PortalTenant, engine: Engine, clock: FakeClock
) -> None:
    outbound(engine, clock, "+15557770001", "Your statement is ready")
    clock.advance(minutes=5)
    inbound(engine, clock, "+15557770001", "YES")
    clock.advance(minutes=1)
    outbound(engine, clock, "+15557770001", "Great, sending it now")
    portal.sign_in(tenant.viewer)
    page = portal.get(
        "/conversations/view", params={"line": LINE, "contact": "+1 555 777 0001"}
    ).text
    assert "The employee texted first" in page
    assert "(MO)" not in page
    assert "Opt-in request, when the employee texts first" in page
    guest = page[page.index('id="guest-view"') : page.index('id="employee-view"')]
    # The held text reaches the guest at the YES: after the confirmation, before the reply.
    statement = guest.index("Your statement is ready")
    assert guest.index("[Auto Message]: Opt in confirmed") < statement
    assert statement < guest.index("Great, sending it now")
    assert "written" in guest[statement:]


def test_the_view_without_a_conversation_explains(portal: Portal, tenant: PortalTenant) -> None:
    portal.sign_in(tenant.viewer)
    for query in ("", "?line=+15550001001", "?line=x&contact=y", "?line=999&contact=+15557770001"):
        response = portal.get(f"/conversations/view{query}")
        assert response.status_code == 200, query
        assert 'role="alert"' in response.text
