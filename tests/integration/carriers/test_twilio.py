"""Twilio SMS end to end: signed webhooks in, the real ``twilio`` client out (to a stand-in)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from twilio.request_validator import RequestValidator

from consentline.store import outbox as outbox_store
from consentline.store.tables import messages
from tests.integration.carriers.conftest import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    CONTACT,
    LINE,
    PUBLIC_URL,
    Carrier,
    twilio_inbound,
)
from tests.standins.twilio_api import TwilioStandIn

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def _message_count(carrier: Carrier) -> int:
    with carrier.api.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(messages)).scalar_one())


def test_a_signed_inbound_sms_is_received_and_the_request_goes_out_through_twilio(
    twilio_line: Carrier, twilio_api: TwilioStandIn
) -> None:
    response = twilio_line.twilio_post(
        "/webhooks/twilio", twilio_inbound("Hi Ada", "SM" + "a" * 32)
    )
    assert response.status_code == 200
    assert response.text == EMPTY_TWIML
    assert response.headers["content-type"].startswith("application/xml")
    conversation = twilio_line.api.conversation(twilio_line.tenant, CONTACT)
    assert conversation["consent"]["state"] == "pending"
    assert [m["status"] for m in conversation["messages"] if m["kind"] == "user"] == ["held"]

    assert twilio_line.deliver() == 2  # the request to the contact, the notice to the employee
    sent = twilio_api.sent()
    assert len(sent) == 1
    assert (sent[0].to, sent[0].from_) == (CONTACT, LINE)
    assert sent[0].body.startswith("[Auto Message] You are trying to reach Ada Lovelace.")
    rows = twilio_line.outbox_rows()
    contact_row = next(r for r in rows if r.destination == "contact")
    assert sent[0].status_callback == f"{PUBLIC_URL}/webhooks/twilio/status?outbox={contact_row.id}"
    assert (contact_row.provider, contact_row.provider_message_id) == ("twilio", sent[0].sid)
    employee_row = next(r for r in rows if r.destination == "employee")
    assert employee_row.provider == "simulator"  # the employee side stays on the simulator


@pytest.mark.parametrize(
    "mutation",
    ["missing", "wrong_token", "tampered_body", "other_account", "unknown_line"],
)
def test_an_unsigned_or_wrongly_signed_webhook_is_refused_and_stores_nothing(
    twilio_line: Carrier, mutation: str
) -> None:
    params = twilio_inbound("Hi", "SM" + "b" * 32)
    if mutation == "missing":
        response = twilio_line.twilio_post("/webhooks/twilio", params, sign=False)
    elif mutation == "wrong_token":
        response = twilio_line.twilio_post("/webhooks/twilio", params, token="not-the-token")
    elif mutation == "tampered_body":
        signature = RequestValidator(AUTH_TOKEN).compute_signature(
            PUBLIC_URL + "/webhooks/twilio", params
        )
        headers = {"X-Twilio-Signature": signature}
        response = twilio_line.client.post(
            "/webhooks/twilio", data={**params, "Body": "STOP"}, headers=headers
        )
    elif mutation == "other_account":
        response = twilio_line.twilio_post(
            "/webhooks/twilio", {**params, "AccountSid": "AC" + "9" * 32}
        )
    else:
        response = twilio_line.twilio_post("/webhooks/twilio", {**params, "To": "+15550009999"})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "webhook_refused"
    assert _message_count(twilio_line) == 0
    assert twilio_line.outbox_rows() == []


def test_a_line_not_routed_through_twilio_refuses_twilio_webhooks(carrier: Carrier) -> None:
    # Credentials, but the line is not listed: its SMS stay on the simulator.
    carrier.providers(twilio={"account_sid": ACCOUNT_SID, "auth_token": AUTH_TOKEN})
    response = carrier.twilio_post("/webhooks/twilio", twilio_inbound("Hi", "SM" + "c" * 32))
    assert response.status_code == 403
    assert _message_count(carrier) == 0


def test_a_retired_line_refuses_twilio_webhooks_and_stores_nothing(twilio_line: Carrier) -> None:
    api, tenant = twilio_line.api, twilio_line.tenant
    lines = api.call("GET", f"/api/v1/orgs/{tenant.org_id}/lines", tenant.key, 200)["items"]
    line_id = next(line["id"] for line in lines if line["number"] == LINE)
    path = f"/api/v1/orgs/{tenant.org_id}/lines/{line_id}"
    api.call("PATCH", path, tenant.key, 200, json={"retired": True})
    response = twilio_line.twilio_post("/webhooks/twilio", twilio_inbound("Hi", "SM" + "e" * 32))
    assert response.status_code == 403
    assert _message_count(twilio_line) == 0


def test_a_replayed_webhook_changes_nothing(twilio_line: Carrier) -> None:
    params = twilio_inbound("Hi", "SM" + "d" * 32)
    assert twilio_line.twilio_post("/webhooks/twilio", params).status_code == 200
    before = (_message_count(twilio_line), len(twilio_line.outbox_rows()))
    again = twilio_line.twilio_post("/webhooks/twilio", params)
    assert again.status_code == 200
    assert again.text == EMPTY_TWIML
    assert (_message_count(twilio_line), len(twilio_line.outbox_rows())) == before


def test_twilio_stop_handling_is_mirrored_without_a_second_confirmation(
    twilio_line: Carrier, twilio_api: TwilioStandIn
) -> None:
    twilio_line.twilio_post("/webhooks/twilio", twilio_inbound("Hi", "SM" + "e" * 32))
    twilio_line.deliver()
    assert len(twilio_api.sent()) == 1  # the opt-in request
    stop = twilio_inbound("STOP", "SM" + "f" * 32, OptOutType="STOP")
    assert twilio_line.twilio_post("/webhooks/twilio", stop).status_code == 200
    conversation = twilio_line.api.conversation(twilio_line.tenant, CONTACT)
    assert conversation["consent"]["state"] == "opted_out"
    statuses = [(m["body"], m["status"]) for m in conversation["messages"] if m["kind"] == "user"]
    assert statuses == [("Hi", "discarded"), ("STOP", "keyword")]
    twilio_line.deliver()
    assert len(twilio_api.sent()) == 1  # Twilio confirmed the opt-out itself; we send nothing
    blocked = twilio_line.api.outbound(twilio_line.tenant, CONTACT, "Still there?")
    assert (blocked["status"], blocked["reason"]) == ("blocked", "opted_out")


def test_error_21610_on_send_is_mirrored_as_an_opt_out(
    twilio_line: Carrier, twilio_api: TwilioStandIn
) -> None:
    twilio_api.state.unsubscribed.add(CONTACT)
    twilio_line.api.outbound(twilio_line.tenant, CONTACT, "Hello")  # held; mo_request queued
    twilio_line.deliver()
    assert twilio_api.sent() == []
    rows = twilio_line.outbox_rows()
    request = next(r for r in rows if r.destination == "contact")
    assert request.status == "dead"
    assert "21610" in request.last_error
    conversation = twilio_line.api.conversation(twilio_line.tenant, CONTACT)
    assert conversation["consent"]["state"] == "opted_out"
    assert [m["status"] for m in conversation["messages"] if m["kind"] == "user"] == ["discarded"]
    blocked = twilio_line.api.outbound(twilio_line.tenant, CONTACT, "Hello?")
    assert blocked["status"] == "blocked"


def test_a_server_error_is_retried_with_backoff_and_sent_once(
    twilio_line: Carrier, twilio_api: TwilioStandIn
) -> None:
    twilio_api.state.failures = 1
    twilio_line.twilio_post("/webhooks/twilio", twilio_inbound("Hi", "SM" + "1" * 32))
    assert twilio_line.deliver() == 1  # the employee notice; the request failed
    request = next(r for r in twilio_line.outbox_rows() if r.destination == "contact")
    assert (request.status, request.attempts) == ("pending", 1)
    assert "20500" in request.last_error
    twilio_line.api.clock.advance(seconds=5)
    assert twilio_line.deliver() == 1
    assert len(twilio_api.sent()) == 1


def test_status_callbacks_update_the_delivery_status_and_never_go_backwards(
    twilio_line: Carrier, twilio_api: TwilioStandIn
) -> None:
    twilio_line.twilio_post("/webhooks/twilio", twilio_inbound("Hi", "SM" + "2" * 32))
    twilio_line.deliver()
    message = twilio_api.sent()[0]
    item = next(r for r in twilio_line.outbox_rows() if r.destination == "contact")
    path = f"/webhooks/twilio/status?outbox={item.id}"

    def report(status: str, **extra: str) -> int:
        params = {
            "MessageSid": message.sid,
            "MessageStatus": status,
            "AccountSid": ACCOUNT_SID,
            "From": LINE,
            "To": CONTACT,
            "ApiVersion": "2010-04-01",
            **extra,
        }
        return int(twilio_line.twilio_post(path, params).status_code)

    assert report("delivered") == 204
    assert report("sent") == 204  # late and out of order
    row = next(r for r in twilio_line.outbox_rows() if r.id == item.id)
    assert row.delivery_status == "delivered"
    params = {"MessageSid": message.sid, "MessageStatus": "failed", "AccountSid": ACCOUNT_SID}
    refused = twilio_line.twilio_post(path, {**params, "From": LINE}, token="wrong")
    assert refused.status_code == 403
    row = next(r for r in twilio_line.outbox_rows() if r.id == item.id)
    assert row.delivery_status == "delivered"


def test_a_send_whose_outcome_was_lost_is_found_at_twilio_and_not_repeated(
    twilio_line: Carrier, twilio_api: TwilioStandIn
) -> None:
    """A worker sent, then died before recording it: the next worker asks Twilio first."""
    from consentline.app import default_providers

    twilio_line.api.outbound(twilio_line.tenant, CONTACT, "Hello")
    engine, clock = twilio_line.api.engine, twilio_line.api.clock
    with engine.begin() as conn:
        claimed = outbox_store.claim(conn, clock(), 10, "doomed-worker", timedelta(seconds=60))
    request = next(i for i in claimed if i.destination == "contact")
    provider = default_providers(twilio_line.config, clock).provider_for(engine, request)
    first_sid = provider.send(request)  # reached Twilio; the worker dies here
    assert len(twilio_api.sent()) == 1

    assert twilio_line.deliver() == 0  # still leased to the dead worker
    clock.advance(seconds=61)
    assert twilio_line.deliver() == 2  # both reclaimed: the request is found, not resent
    assert len(twilio_api.sent()) == 1
    row = next(r for r in twilio_line.outbox_rows() if r.id == request.id)
    assert (row.status, row.provider_message_id, row.in_doubt) == ("sent", first_sid, False)
