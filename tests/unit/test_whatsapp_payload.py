"""The Graph API body for an outbox item: free text inside the 24-hour window, else the
approved template for an opt-in request, else nothing at all (no I/O here)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from consentline.domain.carriers import OptInTemplate, WhatsAppAccount
from consentline.providers.whatsapp import WhatsAppProvider, in_window
from consentline.service.sending import SendError
from consentline.store.outbox import OutboxItem

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def _item(template: str | None, last_wrote: datetime | None) -> OutboxItem:
    return OutboxItem(
        id=1,
        message_id=1,
        destination="contact",
        attempts=0,
        line_number="+15550001001",
        contact="+15557770001",
        channel="whatsapp",
        body="the text",
        template=template,
        employee_name="Ada",
        company_name="Northwind",
        contact_last_wrote=last_wrote,
    )


def _provider(template: OptInTemplate | None) -> WhatsAppProvider:
    account = WhatsAppAccount("token", "secret", "verify", template)
    return WhatsAppProvider(account, "123", clock=lambda: NOW)


def test_the_window_is_24_hours_from_the_contacts_last_message() -> None:
    assert in_window(NOW - timedelta(hours=23, minutes=59), NOW)
    assert not in_window(NOW - timedelta(hours=24), NOW)
    assert not in_window(None, NOW)


def test_inside_the_window_everything_is_free_text() -> None:
    payload = _provider(None).payload(_item("mo_request", NOW - timedelta(hours=1)))
    assert payload == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "15557770001",
        "type": "text",
        "text": {"body": "the text", "preview_url": False},
    }


def test_outside_the_window_an_opt_in_request_is_the_template_without_parameters() -> None:
    payload = _provider(OptInTemplate("optin", "en_US")).payload(_item("mo_request", None))
    assert payload["type"] == "template"
    assert payload["template"] == {"name": "optin", "language": {"code": "en_US"}}


@pytest.mark.parametrize(
    ("template", "item_template"),
    [(None, "mo_request"), (OptInTemplate("optin", "en_US"), None)],
)
def test_outside_the_window_anything_else_is_refused_for_good(
    template: OptInTemplate | None, item_template: str | None
) -> None:
    with pytest.raises(SendError) as refused:
        _provider(template).payload(_item(item_template, NOW - timedelta(days=2)))
    assert refused.value.code == "window_closed"
    assert not refused.value.retryable


def test_a_contact_known_by_a_business_scoped_user_id_is_addressed_as_recipient() -> None:
    item = replace(_item("mo_request", NOW - timedelta(hours=1)), contact="US.13491208655302741918")
    payload = _provider(None).payload(item)
    assert payload["recipient"] == "US.13491208655302741918"
    assert "to" not in payload
