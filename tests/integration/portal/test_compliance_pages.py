"""Issue 14 in the portal: the HELP template and keyword, safe-template messages next to the
field, languages / support contact / consent scope, and Reports > Revocation clock."""

from __future__ import annotations

import re

from sqlalchemy import Engine

from consentline.app import default_providers
from consentline.domain.messages import Channel
from consentline.service import messaging
from consentline.service.demo import SYSTEM
from consentline.service.outbox_worker import deliver_due
from consentline.service.unit_of_work import UnitOfWork
from tests.helpers import FakeClock
from tests.integration.portal.support import Portal, PortalTenant, settings_of

CONTACT = "+15557770001"


def test_help_template_and_keyword_are_shown_and_editable(
    portal: Portal, tenant: PortalTenant, engine: Engine
) -> None:
    portal.sign_in(tenant.admin)

    page = portal.get("/setup/templates")

    assert "HELP: answer to a customer who texts the help keyword" in page.text
    assert 'id="help" name="help" value="HELP"' in page.text
    saved = portal.post(
        "/setup/keywords",
        {
            "opt_in": "YES",
            "opt_out": "STOP",
            "opt_in_synonyms": "START",
            "opt_out_synonyms": "END",
            "help": "SUPPORT",
            "help_synonyms": "INFO, ASSIST",
        },
    )
    assert saved.status_code == 303
    keywords = settings_of(engine, tenant.root_id)["keywords"]
    assert (keywords["help"], keywords["help_synonyms"]) == ("SUPPORT", ["INFO", "ASSIST"])


def test_an_unsafe_template_is_refused_with_the_reason_next_to_the_field(
    portal: Portal, tenant: PortalTenant, engine: Engine
) -> None:
    portal.sign_in(tenant.admin)
    before = settings_of(engine, tenant.root_id)

    refused = portal.post("/setup/templates", {"key": "help", "text": "Call <Support Contact>."})

    assert refused.status_code == 422
    card = refused.text[refused.text.index('id="template-help"') :]
    card = card[: card.index("</section>")]
    assert "Template &#39;help&#39; must say how to opt out" in card
    assert settings_of(engine, tenant.root_id) == before
    # The preview says so while typing.
    preview = portal.post(
        "/setup/templates/preview", {"key": "mt_confirmation", "text": "Opt in confirmed."}
    )
    assert "must say how to opt out" in preview.text


def test_languages_support_contact_and_scope_are_saved(
    portal: Portal, tenant: PortalTenant, engine: Engine
) -> None:
    portal.sign_in(tenant.admin)
    page = portal.get("/setup/feature-settings/sms-optin")
    assert "Languages, HELP and consent scope" in page.text
    token = portal.token("/setup/feature-settings/sms-optin")

    response = portal.client.post(
        "/setup/feature-settings/sms-optin",
        data={
            "csrf_token": token,
            "action": "compliance",
            "languages": ["en", "fr"],
            "default_language": "fr",
            "support_contact": "1-800-555-0100",
            "consent_scope": "organization",
        },
        follow_redirects=False,
    )

    assert response.status_code == 303
    settings = settings_of(engine, tenant.root_id)
    assert settings["languages"] == ["fr", "en"]
    assert settings["support_contact"] == "1-800-555-0100"
    assert settings["consent_scope"] == "organization"
    refused = portal.post(
        "/setup/feature-settings/sms-optin",
        {
            "action": "compliance",
            "languages": "en",
            "support_contact": "x" * 101,
            "consent_scope": "line",
        },
    )
    assert refused.status_code == 422
    assert "support_contact is 101 characters; at most 100." in refused.text


def test_revocation_clock_page_shows_rows_summary_and_chart(
    portal: Portal, tenant: PortalTenant, engine: Engine, clock: FakeClock
) -> None:
    with UnitOfWork(engine) as uow:
        messaging.receive_inbound(
            uow,
            SYSTEM,
            line="+15550001001",
            sender=CONTACT,
            body="STOP",
            channel=Channel.SMS,
            now=clock(),
        )
    clock.advance(seconds=12)
    deliver_due(engine, default_providers(), clock)
    portal.sign_in(tenant.viewer)

    assert "/reports/revocations" in portal.get("/reports").text
    page = portal.get("/reports/revocations")

    assert page.status_code == 200
    assert re.search(r'data-summary="count">1<', page.text)
    assert re.search(r'data-summary="p50">12.0 s<', page.text)
    assert re.search(r'data-summary="after">0<', page.text)
    assert 'data-bucket="10 to 60 s" data-count="1"' in page.text
    assert CONTACT in page.text
    csv = portal.get("/reports/revocations/download.csv")
    assert csv.status_code == 200
    assert CONTACT in csv.text
