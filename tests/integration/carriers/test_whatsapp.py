"""The WhatsApp Cloud API end to end: handshake, signed notifications, the Graph API out."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import pytest

from tests.integration.carriers.conftest import (
    APP_SECRET,
    CONTACT,
    LINE,
    PHONE_NUMBER_ID,
    VERIFY_TOKEN,
    Carrier,
)
from tests.standins.graph_api import GraphStandIn

WA_CONTACT = CONTACT.lstrip("+")


def _notification(value: dict[str, Any]) -> bytes:
    """Meta's webhook envelope around one ``messages`` change."""
    envelope = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "102290129340398",
                "changes": [
                    {
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": LINE.lstrip("+"),
                                "phone_number_id": PHONE_NUMBER_ID,
                            },
                            **value,
                        },
                        "field": "messages",
                    }
                ],
            }
        ],
    }
    return json.dumps(envelope).encode()


def _text(body: str, wamid: str) -> bytes:
    return _notification(
        {
            "contacts": [{"profile": {"name": "Kerry Fisher"}, "wa_id": WA_CONTACT}],
            "messages": [
                {
                    "from": WA_CONTACT,
                    "id": wamid,
                    "timestamp": "1767603600",
                    "text": {"body": body},
                    "type": "text",
                }
            ],
        }
    )


def _status(wamid: str, status: str, error_code: int | None = None) -> bytes:
    entry: dict[str, Any] = {
        "id": wamid,
        "status": status,
        "timestamp": "1767603700",
        "recipient_id": WA_CONTACT,
    }
    if error_code:
        entry["errors"] = [{"code": error_code, "title": "Message failed to send"}]
    return _notification({"statuses": [entry]})


def _sign(raw: bytes, secret: str = APP_SECRET) -> str:
    """As Meta documents it: HMAC-SHA256 of the raw body with the app secret."""
    return "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()


def _post(carrier: Carrier, raw: bytes, signature: str | None = None) -> Any:
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["X-Hub-Signature-256"] = signature
    return carrier.client.post("/webhooks/whatsapp", content=raw, headers=headers)


def _conversation(carrier: Carrier, channel: str = "whatsapp") -> Any:
    return carrier.api.conversation(carrier.tenant, CONTACT, channel)


def test_the_verification_handshake_echoes_the_challenge_for_the_right_token(
    whatsapp: Carrier,
) -> None:
    params = {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158"}
    ok = whatsapp.client.get("/webhooks/whatsapp", params=params)
    assert (ok.status_code, ok.text) == (200, "1158")
    wrong = whatsapp.client.get(
        "/webhooks/whatsapp", params={**params, "hub.verify_token": "guess"}
    )
    assert wrong.status_code == 403
    assert (
        whatsapp.client.get("/webhooks/whatsapp", params={**params, "hub.mode": "x"}).status_code
        == 403
    )


def test_a_signed_text_is_received_on_its_own_whatsapp_conversation(whatsapp: Carrier) -> None:
    raw = _text("Hello from WhatsApp", "wamid.HBgLMTU1NTc3NzAwMDE")
    response = _post(whatsapp, raw, _sign(raw))
    assert response.status_code == 200
    conversation = _conversation(whatsapp)
    assert conversation["consent"]["state"] == "pending"
    assert [m["body"] for m in conversation["messages"] if m["kind"] == "user"] == [
        "Hello from WhatsApp"
    ]
    # SMS consent is a separate conversation, untouched.
    assert _conversation(whatsapp, "sms")["consent"]["state"] == "none"


@pytest.mark.parametrize("signature", [None, "", "sha256=" + "0" * 64, "wrong-secret"])
def test_a_wrongly_signed_notification_is_refused_and_stores_nothing(
    whatsapp: Carrier, signature: str | None
) -> None:
    raw = _text("Hi", "wamid.refused")
    if signature == "wrong-secret":
        signature = _sign(raw, "not-the-app-secret")
    response = _post(whatsapp, raw, signature)
    assert response.status_code == 403
    assert _conversation(whatsapp)["messages"] == []


def test_a_notification_for_an_unknown_number_is_refused(whatsapp: Carrier) -> None:
    raw = _text("Hi", "wamid.unknown").replace(PHONE_NUMBER_ID.encode(), b"999999999")
    assert _post(whatsapp, raw, _sign(raw)).status_code == 403
    assert _conversation(whatsapp)["messages"] == []


def test_a_replayed_notification_changes_nothing(whatsapp: Carrier) -> None:
    raw = _text("Hi", "wamid.replayed")
    assert _post(whatsapp, raw, _sign(raw)).status_code == 200
    before = (_conversation(whatsapp), len(whatsapp.outbox_rows()))
    assert _post(whatsapp, raw, _sign(raw)).status_code == 200
    assert (_conversation(whatsapp), len(whatsapp.outbox_rows())) == before


def test_inside_the_window_the_request_goes_out_as_free_text(
    whatsapp: Carrier, graph_api: GraphStandIn
) -> None:
    raw = _text("Hi", "wamid.window")
    _post(whatsapp, raw, _sign(raw))
    whatsapp.deliver()
    [sent] = graph_api.sent()
    assert sent["phone_number_id"] == PHONE_NUMBER_ID
    assert (sent["messaging_product"], sent["to"], sent["type"]) == ("whatsapp", WA_CONTACT, "text")
    assert sent["text"]["body"].startswith("[Auto Message] You are trying to reach Ada Lovelace")
    item = next(r for r in whatsapp.outbox_rows() if r.destination == "contact")
    assert (item.provider, item.provider_message_id) == ("whatsapp", sent["id"])


def test_outside_the_window_the_opt_in_request_goes_out_as_the_approved_template(
    whatsapp: Carrier, graph_api: GraphStandIn
) -> None:
    whatsapp.api.outbound(whatsapp.tenant, CONTACT, "Hello", channel="whatsapp")
    whatsapp.deliver()
    [sent] = graph_api.sent()
    assert sent["type"] == "template"
    assert sent["template"] == {
        "name": "optin_request",
        "language": {"code": "en_US"},
        "components": [
            {
                "type": "body",
                "parameters": [
                    {"type": "text", "text": "Ada Lovelace"},
                    {"type": "text", "text": "Northwind Bank"},
                ],
            }
        ],
    }


def test_free_text_outside_the_window_is_a_dead_letter_not_a_failed_send(
    whatsapp: Carrier, graph_api: GraphStandIn
) -> None:
    raw = _text("Hi", "wamid.a")
    _post(whatsapp, raw, _sign(raw))
    raw = _text("YES", "wamid.b")
    _post(whatsapp, raw, _sign(raw))
    whatsapp.deliver()
    sent_before = len(graph_api.sent())
    whatsapp.api.clock.advance(hours=25)
    whatsapp.api.outbound(whatsapp.tenant, CONTACT, "Your statement is ready", channel="whatsapp")
    whatsapp.deliver()
    assert len(graph_api.sent()) == sent_before
    late = whatsapp.outbox_rows()[-1]
    assert late.status == "dead"
    assert late.last_error.startswith("window_closed")


def test_error_131050_is_mirrored_as_an_opt_out(whatsapp: Carrier, graph_api: GraphStandIn) -> None:
    graph_api.state.errors[WA_CONTACT] = 131050
    whatsapp.api.outbound(whatsapp.tenant, CONTACT, "Hello", channel="whatsapp")
    whatsapp.deliver()
    assert _conversation(whatsapp)["consent"]["state"] == "opted_out"
    assert _conversation(whatsapp, "sms")["consent"]["state"] == "none"  # only this channel
    request = next(r for r in whatsapp.outbox_rows() if r.destination == "contact")
    assert request.status == "dead"
    assert "131050" in request.last_error


def test_error_131047_is_final_without_touching_consent(
    whatsapp: Carrier, graph_api: GraphStandIn
) -> None:
    graph_api.state.errors[WA_CONTACT] = 131047
    raw = _text("Hi", "wamid.c")
    _post(whatsapp, raw, _sign(raw))
    whatsapp.deliver()
    request = next(r for r in whatsapp.outbox_rows() if r.destination == "contact")
    assert (request.status, request.attempts) == ("dead", 1)
    assert "131047" in request.last_error
    assert _conversation(whatsapp)["consent"]["state"] == "pending"


def test_delivery_statuses_are_recorded_and_a_131050_failure_opts_out(
    whatsapp: Carrier, graph_api: GraphStandIn
) -> None:
    raw = _text("Hi", "wamid.d")
    _post(whatsapp, raw, _sign(raw))
    whatsapp.deliver()
    wamid = graph_api.sent()[0]["id"]
    for status in ("sent", "delivered", "read"):
        report = _status(wamid, status)
        assert _post(whatsapp, report, _sign(report)).status_code == 200
    item = next(r for r in whatsapp.outbox_rows() if r.provider_message_id == wamid)
    assert item.delivery_status == "read"
    forged = _status(wamid, "failed", 131050)
    assert _post(whatsapp, forged, _sign(forged, "forged")).status_code == 403
    assert _conversation(whatsapp)["consent"]["state"] == "pending"
    failed = _status(wamid, "failed", 131050)
    assert _post(whatsapp, failed, _sign(failed)).status_code == 200
    assert _conversation(whatsapp)["consent"]["state"] == "opted_out"
