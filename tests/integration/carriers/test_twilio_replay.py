"""Real Twilio webhooks (Twilio's documented parameters, courier's test data), replayed
signed with Twilio's RequestValidator: never refused for what they hold, nothing lost."""

from __future__ import annotations

import json

from tests.integration.carriers.conftest import CONTACT, LINE, Carrier, twilio_inbound
from tests.integration.carriers.replay import (
    fixtures,
    part_count,
    parts,
    stored_messages,
    twilio_form,
)

ALL = list(fixtures("twilio"))


def test_every_fixture_is_accepted_and_kept(twilio_line: Carrier) -> None:
    inbound = [(n, p) for n, p in ALL if "status" not in n.split(":")[1].lower()]
    statuses = [(n, p) for n, p in ALL if "status" in n.split(":")[1].lower()]
    for name, pairs in inbound:
        response = twilio_line.twilio_post("/webhooks/twilio", twilio_form(pairs))
        assert response.status_code == 200, (name, response.text)
    for name, pairs in statuses:
        response = twilio_line.twilio_post(
            "/webhooks/twilio/status", twilio_form(pairs, status=True)
        )
        assert response.status_code == 204, (name, response.text)
    # courier reuses one MessageSid for all its receive* bodies: the first is the message,
    # the rest are Twilio's retries of it (replayed, changing nothing) but still kept.
    assert part_count(twilio_line) == len(ALL)
    sids = {dict(p).get("MessageSid") for _, p in inbound}
    contact_messages = [m for m in stored_messages(twilio_line) if m.sender == "contact"]
    assert {m.provider_message_id for m in contact_messages} == sids
    assert len(contact_messages) == len(sids)
    # And Twilio retrying every one of them changes nothing.
    for _, pairs in inbound:
        assert twilio_line.twilio_post("/webhooks/twilio", twilio_form(pairs)).status_code == 200
    assert part_count(twilio_line) == len(ALL)


def test_an_mms_without_a_body_is_described_and_its_media_kept(twilio_line: Carrier) -> None:
    form = twilio_form(dict(ALL)["twilio_docs:mms_without_body"])
    assert twilio_line.twilio_post("/webhooks/twilio", {**form, "From": CONTACT}).status_code == 200
    conversation = twilio_line.api.conversation(twilio_line.tenant, CONTACT)
    [message] = [m for m in conversation["messages"] if m["kind"] == "user"]
    assert message["body"] == "[1 media attachment: image/jpeg]"
    [part] = parts(twilio_line)
    assert part.media_id == form["MediaUrl0"]
    assert part.part_type == "mms"


def test_a_nul_byte_or_a_bad_sender_never_answers_5xx_or_4xx(twilio_line: Carrier) -> None:
    nul = twilio_inbound("Hi\x00there", "SM" + "4" * 32)
    assert twilio_line.twilio_post("/webhooks/twilio", nul).status_code == 200
    [message] = [m for m in stored_messages(twilio_line) if m.sender == "contact"]
    assert message.body == "Hi\ufffdthere"
    assert "Hi\\u0000there" in parts(twilio_line)[0].payload  # kept as received
    short_code = twilio_inbound("Hello", "SM" + "5" * 32, From="12345")
    assert twilio_line.twilio_post("/webhooks/twilio", short_code).status_code == 200
    kept = parts(twilio_line)[-1]
    assert (kept.outcome, kept.message_id) == ("refused:invalid_phone_number", None)
    assert json.loads(kept.payload)[-1] == ["ApiVersion", "2010-04-01"]


def test_an_rcs_message_is_the_sms_conversation(twilio_line: Carrier) -> None:
    rcs = twilio_inbound("Hi", "SM" + "6" * 32, From=f"rcs:{CONTACT}", To=f"rcs:{LINE}")
    assert twilio_line.twilio_post("/webhooks/twilio", rcs).status_code == 200
    conversation = twilio_line.api.conversation(twilio_line.tenant, CONTACT)
    assert [m["body"] for m in conversation["messages"] if m["kind"] == "user"] == ["Hi"]


def test_a_status_callback_with_nul_bytes_is_recorded_not_refused(twilio_line: Carrier) -> None:
    form = twilio_form(dict(ALL)["twilio_docs:status_delivered"], status=True)
    form.update({"MessageStatus": "deliv\x00ered", "MessageSid": "SM\x00", "ErrorCode": "3\x000"})
    assert twilio_line.twilio_post("/webhooks/twilio/status", form).status_code == 204
    [part] = parts(twilio_line)
    assert (part.part_type, part.error_code) == ("deliv\ufffdered", "3\ufffd0")
