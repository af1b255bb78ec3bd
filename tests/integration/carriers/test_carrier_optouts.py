"""Carrier opt-outs, exactly once: after each kind of carrier STOP the employee gets one
opt-out notice and the contact no text; a carrier START records the opt-in without a
second confirmation; HELP is recorded; every carrier opt-out keeps its source, which the
SMS Opt-In Report shows."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from consentline.store.tables import messages, outbox
from tests.integration.carriers.conftest import CONTACT, Carrier, twilio_inbound
from tests.integration.carriers.replay import (
    fixtures,
    post_whatsapp,
    retarget,
    twilio_form,
    whatsapp_payload,
)
from tests.standins.graph_api import GraphStandIn
from tests.standins.twilio_api import TwilioStandIn

TWILIO = dict(fixtures("twilio"))
PREFERENCE_CONTACT = "+16505551234"  # the wa_id of Meta's user_preferences example


def _queued(carrier: Carrier) -> list[tuple[str, str | None]]:
    """Every queued send as (destination, template), oldest first."""
    query = (
        select(outbox.c.destination, messages.c.template)
        .join(messages, messages.c.id == outbox.c.message_id)
        .order_by(outbox.c.id)
    )
    with carrier.api.engine.connect() as conn:
        return [(row.destination, row.template) for row in conn.execute(query)]


def _after(carrier: Carrier, before: int) -> list[tuple[str, str | None]]:
    return _queued(carrier)[before:]


def _report_row(carrier: Carrier, contact: str) -> Any:
    report = carrier.api.call(
        "GET", "/api/v1/reports/sms-optin?mode=consent", carrier.tenant.key, 200
    )
    [row] = [r for r in report["rows"] if r["contact"] == contact]
    return row


def _state(carrier: Carrier, contact: str = CONTACT, channel: str = "sms") -> str:
    return str(carrier.api.conversation(carrier.tenant, contact, channel)["consent"]["state"])


def _status_form(name: str, sid: str) -> dict[str, str]:
    form = twilio_form(TWILIO[f"twilio_docs:{name}"], status=True)
    form.update({"MessageSid": sid, "SmsSid": sid, "To": CONTACT})
    return form


def test_twilio_stop_notifies_the_employee_once_and_texts_the_contact_nothing(
    twilio_line: Carrier, twilio_api: TwilioStandIn
) -> None:
    twilio_line.twilio_post("/webhooks/twilio", twilio_inbound("Hi", "SM" + "1" * 32))
    twilio_line.deliver()
    before = len(_queued(twilio_line))
    stop = twilio_form(TWILIO["twilio_docs:stop"])
    stop["From"] = CONTACT
    assert twilio_line.twilio_post("/webhooks/twilio", stop).status_code == 200
    assert _state(twilio_line) == "opted_out"
    assert _after(twilio_line, before) == [("employee", "mt_optout_notice")]
    # Twilio then refuses our earlier request with 21610: recorded, nobody told twice.
    request = next(r for r in twilio_line.outbox_rows() if r.destination == "contact")
    path = f"/webhooks/twilio/status?outbox={request.id}"
    undelivered = _status_form("status_undelivered_21610", request.provider_message_id)
    assert twilio_line.twilio_post(path, undelivered).status_code == 204
    assert _after(twilio_line, before) == [("employee", "mt_optout_notice")]
    twilio_line.deliver()
    assert len(twilio_api.sent()) == 1  # only the opt-in request, before the STOP
    row = _report_row(twilio_line, CONTACT)
    assert (row["state"], row["opt_out_source"], row["deciding_message"]) == (
        "opted_out",
        "twilio:STOP",
        "STOP",
    )


def test_a_21610_status_callback_opts_out_and_notifies_the_employee_once(
    twilio_line: Carrier,
) -> None:
    twilio_line.api.outbound(twilio_line.tenant, CONTACT, "Hello")  # held; mo_request queued
    twilio_line.deliver()
    request = next(r for r in twilio_line.outbox_rows() if r.destination == "contact")
    before = len(_queued(twilio_line))
    path = f"/webhooks/twilio/status?outbox={request.id}"
    undelivered = _status_form("status_undelivered_21610", request.provider_message_id)
    for _ in range(2):  # Twilio retries: still one notice
        assert twilio_line.twilio_post(path, undelivered).status_code == 204
    assert _state(twilio_line) == "opted_out"
    assert _after(twilio_line, before) == [("employee", "mo_optout_notice")]
    assert _report_row(twilio_line, CONTACT)["opt_out_source"] == "twilio:21610"


def test_a_21610_refusal_of_a_send_notifies_the_employee_once(
    twilio_line: Carrier, twilio_api: TwilioStandIn
) -> None:
    twilio_api.state.unsubscribed.add(CONTACT)
    twilio_line.api.outbound(twilio_line.tenant, CONTACT, "Hello")
    twilio_line.deliver()
    twilio_line.deliver()
    assert twilio_api.sent() == []
    notices = [t for d, t in _queued(twilio_line) if t and t.endswith("optout_notice")]
    assert notices == ["mo_optout_notice"]
    assert _report_row(twilio_line, CONTACT)["opt_out_source"] == "twilio:21610"


def test_twilio_start_after_a_carrier_stop_opts_in_without_a_second_confirmation(
    twilio_line: Carrier, twilio_api: TwilioStandIn
) -> None:
    twilio_line.twilio_post("/webhooks/twilio", twilio_inbound("Hi", "SM" + "2" * 32))
    stop = twilio_form(TWILIO["twilio_docs:stop"])
    twilio_line.twilio_post("/webhooks/twilio", {**stop, "From": CONTACT})
    twilio_line.deliver()
    sent_before, queued_before = len(twilio_api.sent()), len(_queued(twilio_line))
    start = twilio_form(TWILIO["twilio_docs:start"])
    assert (
        twilio_line.twilio_post("/webhooks/twilio", {**start, "From": CONTACT}).status_code == 200
    )
    assert _state(twilio_line) == "opted_in"
    assert _after(twilio_line, queued_before) == [("employee", "mt_accepted_notice")]
    twilio_line.deliver()
    assert len(twilio_api.sent()) == sent_before  # Twilio confirmed START itself
    row = _report_row(twilio_line, CONTACT)
    assert (row["deciding_message"], row["opt_out_source"]) == ("START", None)


def test_twilio_help_is_recorded_and_changes_nothing(twilio_line: Carrier) -> None:
    twilio_line.twilio_post("/webhooks/twilio", twilio_inbound("Hi", "SM" + "3" * 32))
    before = len(_queued(twilio_line))
    help_form = twilio_form(TWILIO["twilio_docs:help"])
    assert (
        twilio_line.twilio_post("/webhooks/twilio", {**help_form, "From": CONTACT}).status_code
        == 200
    )
    conversation = twilio_line.api.conversation(twilio_line.tenant, CONTACT)
    assert conversation["consent"]["state"] == "pending"
    assert [(m["body"], m["status"]) for m in conversation["messages"] if m["kind"] == "user"] == [
        ("Hi", "held"),
        ("HELP", "keyword"),
    ]
    assert _after(twilio_line, before) == []


def test_whatsapp_131050_notifies_the_employee_once(
    whatsapp: Carrier, graph_api: GraphStandIn
) -> None:
    whatsapp.api.outbound(whatsapp.tenant, PREFERENCE_CONTACT, "Hello", channel="whatsapp")
    whatsapp.deliver()
    wamid = graph_api.sent()[0]["id"]
    before = len(_queued(whatsapp))
    failed = retarget(whatsapp_payload("meta_docs:status_failed_131050"))
    failed["entry"][0]["changes"][0]["value"]["statuses"][0]["id"] = wamid
    for _ in range(2):
        assert post_whatsapp(whatsapp, failed).status_code == 200
    assert _state(whatsapp, PREFERENCE_CONTACT, "whatsapp") == "opted_out"
    assert _after(whatsapp, before) == [("employee", "mo_optout_notice")]
    assert _report_row(whatsapp, PREFERENCE_CONTACT)["opt_out_source"] == "whatsapp:131050"


def test_a_user_preferences_stop_opts_out_and_a_resume_opts_nobody_in(
    whatsapp: Carrier, graph_api: GraphStandIn
) -> None:
    stop = retarget(whatsapp_payload("meta_docs:user_preferences_stop"))
    assert post_whatsapp(whatsapp, stop).status_code == 200
    assert _state(whatsapp, PREFERENCE_CONTACT, "whatsapp") == "opted_out"
    assert _queued(whatsapp) == [("employee", "mt_optout_notice")]
    row = _report_row(whatsapp, PREFERENCE_CONTACT)
    assert row["opt_out_source"] == "whatsapp:user_preferences:stop"
    blocked = whatsapp.api.outbound(
        whatsapp.tenant, PREFERENCE_CONTACT, "Our new offer", channel="whatsapp"
    )
    assert blocked["status"] == "blocked"

    resume = retarget(whatsapp_payload("meta_docs:user_preferences_resume"))
    assert post_whatsapp(whatsapp, resume).status_code == 200
    assert _state(whatsapp, PREFERENCE_CONTACT, "whatsapp") == "opted_out"  # consent still asked
    conversation = whatsapp.api.conversation(whatsapp.tenant, PREFERENCE_CONTACT, "whatsapp")
    assert conversation["messages"][-1]["body"].startswith("[WhatsApp] Marketing messages: resume")
    whatsapp.deliver()
    assert graph_api.sent() == []  # the contact was never texted
