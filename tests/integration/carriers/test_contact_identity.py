"""One person is one conversation whichever form of their number a carrier writes: Mexico's
``521``, Brazil's ids without the mobile 9, Argentina's ``549``; and a number that is no
complete number is refused with a clear 422, never stored as a made-up E.164 value."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.carriers.conftest import Carrier
from tests.integration.carriers.replay import post_whatsapp, retarget, whatsapp_payload


def _text(wa_id: str, body: str, wamid: str) -> Any:
    """pywa's text notification, from ``wa_id``."""
    payload = retarget(whatsapp_payload("pywa_message:text"))
    value = payload["entry"][0]["changes"][0]["value"]
    value["contacts"][0]["wa_id"] = wa_id
    value["messages"][0].update({"from": wa_id, "id": wamid, "text": {"body": body}})
    return payload


@pytest.mark.parametrize(
    ("first_form", "second_form", "e164"),
    [
        ("5215512345678", "525512345678", "+525512345678"),  # Mexico, as WhatsApp writes it
        ("525512345678", "5215512345678", "+525512345678"),
        ("551187654321", "5511987654321", "+5511987654321"),  # Brazil, an id without the 9
        ("5511987654321", "551187654321", "+5511987654321"),
    ],
)
def test_a_contact_stays_in_one_conversation_whichever_id_form_arrives(
    whatsapp: Carrier, first_form: str, second_form: str, e164: str
) -> None:
    assert post_whatsapp(whatsapp, _text(first_form, "Hola", "wamid.first")).status_code == 200
    assert post_whatsapp(whatsapp, _text(second_form, "YES", "wamid.second")).status_code == 200
    conversation = whatsapp.api.conversation(whatsapp.tenant, e164, "whatsapp")
    assert conversation["consent"]["state"] == "opted_in"
    user = [(m["body"], m["status"]) for m in conversation["messages"] if m["kind"] == "user"]
    assert user == [("Hola", "delivered"), ("YES", "keyword")]  # the held text went out


def test_an_employees_held_message_reaches_a_brazilian_contact_who_answers_from_an_old_id(
    whatsapp: Carrier,
) -> None:
    sent = whatsapp.api.outbound(
        whatsapp.tenant, "+55 11 98765-4321", "Seu extrato", channel="whatsapp"
    )
    assert sent["status"] == "held"
    post_whatsapp(whatsapp, _text("551187654321", "SIM", "wamid.a"))  # ordinary text
    post_whatsapp(whatsapp, _text("551187654321", "YES", "wamid.b"))
    conversation = whatsapp.api.conversation(whatsapp.tenant, "+5511987654321", "whatsapp")
    assert conversation["consent"]["state"] == "opted_in"
    statuses = {m["body"]: m["status"] for m in conversation["messages"] if m["kind"] == "user"}
    assert statuses["Seu extrato"] == "delivered"


def test_an_argentine_number_written_without_the_9_is_the_whatsapp_contact_with_it(
    whatsapp: Carrier,
) -> None:
    whatsapp.api.outbound(whatsapp.tenant, "+54 11 2345-6789", "Hola", channel="whatsapp")
    post_whatsapp(whatsapp, _text("5491123456789", "YES", "wamid.ar"))
    conversation = whatsapp.api.conversation(whatsapp.tenant, "+5491123456789", "whatsapp")
    assert conversation["consent"]["state"] == "opted_in"
    assert [m["status"] for m in conversation["messages"] if m["body"] == "Hola"] == ["delivered"]


@pytest.mark.parametrize("number", ["555-0199", "5550199", "+52 1", "12345"])
def test_an_incomplete_number_is_refused_with_a_clear_422_and_nothing_is_stored(
    carrier: Carrier, number: str
) -> None:
    response = carrier.api.call(
        "POST",
        "/api/v1/messages/outbound",
        carrier.tenant.key,
        422,
        json={"line": carrier.tenant.line, "to": number, "body": "Hello"},
    )
    assert response["error"]["code"] == "invalid_phone_number"
    assert number in response["error"]["message"]
    assert carrier.outbox_rows() == []
