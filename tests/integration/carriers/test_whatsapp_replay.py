"""Real WhatsApp notifications (Meta's documentation, pywa's and courier's test data),
replayed signed through the running application: never refused for what they hold, and
nothing in them lost."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.integration.carriers.conftest import LINE, Carrier
from tests.integration.carriers.replay import (
    expected_parts,
    fixtures,
    part_count,
    parts,
    post_whatsapp,
    retarget,
    stored_messages,
    whatsapp_payload,
)
from tests.standins.graph_api import GraphStandIn

ALL = list(fixtures("whatsapp"))


def _user_bodies(carrier: Carrier) -> list[str]:
    return [m.body for m in stored_messages(carrier) if m.sender == "contact"]


def test_every_fixture_is_answered_200_and_every_part_is_kept(whatsapp: Carrier) -> None:
    total = 0
    for index, (name, payload) in enumerate(ALL):
        response = post_whatsapp(whatsapp, retarget(payload, suffix=str(index)))
        assert response.status_code == 200, (name, response.text)
        total += expected_parts(payload)
        assert part_count(whatsapp) == total, name
    kept = parts(whatsapp)
    messages_kept = [p for p in kept if p.kind == "message"]
    # Every message whose sender is a person became a message of a conversation; the rest
    # (courier's placeholder sender "5678", no sender at all) are kept as received.
    archived = {m.provider_message_id for m in stored_messages(whatsapp)}
    for part in messages_kept:
        if part.outcome.startswith("refused:"):
            assert part.message_id is None
        else:
            assert part.provider_message_id in archived, part.part_type
    refused = [json.loads(p.payload) for p in messages_kept if p.outcome.startswith("refused:")]
    # Only courier's placeholders are refused: "5678" and "bla" are no numbers, "foo_bar"
    # no user id, and one message names no sender at all.
    assert {m.get("from") for m in refused} == {"5678", "bla", None}
    assert {m.get("from_user_id") for m in refused} == {None, "foo_bar"}
    assert len(refused) == 19
    assert len([p for p in messages_kept if p.message_id]) == len(messages_kept) - 19
    # Replaying everything again (Meta retries for days) changes nothing.
    before = (len(kept), len(stored_messages(whatsapp)), len(whatsapp.outbox_rows()))
    for index, (_name, payload) in enumerate(ALL):
        assert post_whatsapp(whatsapp, retarget(payload, suffix=str(index))).status_code == 200
    assert (part_count(whatsapp), len(stored_messages(whatsapp)), len(whatsapp.outbox_rows())) == (
        before
    )


# What each WhatsApp message type becomes: the body the employee sees.
BODIES = [
    ("pywa_message:text", "Body Text"),
    ("pywa_message:image", "[Image]"),
    ("courier_wac:image", "[Image] Check out my new phone!"),
    ("pywa_message:video", "[Forwarded] [Video] caption"),
    ("pywa_message:audio", "[Forwarded] [Audio]"),
    ("pywa_message:voice", "[Voice message]"),
    ("pywa_message:document", "[Forwarded] [Document filename.pdf] caption"),
    ("pywa_message:static_sticker", "[Sticker]"),
    ("pywa_message:current_location", "[Forwarded] [Location] (12.25089, 43.90539)"),
    ("pywa_message:chosen_location", "[Forwarded] [Location] Facebook HQ, 1 Hacker Way"),
    ("pywa_message:contacts", "[Contact card] Chandler Bing: +1 555-555-5555; Monica: +1 66"),
    ("pywa_message:reaction", "[Reaction \U0001f62e to an earlier message]"),
    ("pywa_message:unreaction_empty", "[Reaction removed]"),
    ("pywa_message:unreaction_no_emoji", "[Reaction removed]"),
    ("pywa_message:order", "[Order] 3 items: HAMBURGER x3 (30 ILS); FRENCH_FRIES x2"),
    ("pywa_message:unsupported", "[A message ConsentLine cannot display: unsupported] Message"),
    ("pywa_message:interactive_message_with_err", "[A message ConsentLine cannot display: "),
    ("pywa_message:reply", "replied text"),
    ("pywa_message:forwarded", "[Forwarded] forwarded text"),
    ("pywa_message:referral", "BODY\n[Sent from the ad: AD_TITLE]"),
    ("pywa_callback_button:button", "title"),
    ("pywa_callback_button:quick_reply", "title"),
    ("pywa_callback_selection:callback", "title"),
    ("pywa_flow_completion:completion", '[Form reply] Sent: {"comment_text":"Comment Text"'),
    ("courier_wac:nfm_reply", '[Form reply] Sent: {"flow_token": "fl0w+t0k3n"'),
]


@pytest.mark.parametrize(("name", "begins"), BODIES, ids=[name for name, _ in BODIES])
def test_each_message_type_becomes_a_readable_body(
    whatsapp: Carrier, name: str, begins: str
) -> None:
    payload = retarget(whatsapp_payload(name))
    if name.startswith("courier_wac:"):  # courier's placeholder sender "5678" is no number
        payload["entry"][0]["changes"][0]["value"]["messages"][0]["from"] = "16505551234"
    assert post_whatsapp(whatsapp, payload).status_code == 200
    [body] = _user_bodies(whatsapp)
    assert body.startswith(begins), body


def test_a_batch_with_unreadable_messages_keeps_every_message_in_order(
    whatsapp: Carrier,
) -> None:
    """The issue's case: a Flows reply and an interactive without a title in one POST."""
    batch = retarget(whatsapp_payload("pywa_message:text"))
    value = batch["entry"][0]["changes"][0]["value"]
    flow = retarget(whatsapp_payload("pywa_flow_completion:completion"))
    flow_message = flow["entry"][0]["changes"][0]["value"]["messages"][0]
    untitled = {**flow_message, "id": "wamid.untitled", "interactive": {"type": "button_reply"}}
    unsupported = retarget(whatsapp_payload("pywa_message:unsupported"))
    unknown = {**unsupported["entry"][0]["changes"][0]["value"]["messages"][0]}
    unknown["id"] = "wamid.unknown"
    first = {**value["messages"][0], "id": "wamid.first"}
    last = {**value["messages"][0], "id": "wamid.last", "text": {"body": "after them all"}}
    value["messages"] = [first, flow_message, untitled, unknown, last]
    assert post_whatsapp(whatsapp, batch).status_code == 200
    bodies = _user_bodies(whatsapp)
    assert len(bodies) == 5
    assert bodies[0] == "Body Text"
    assert bodies[1].startswith("[Form reply] Sent: {")
    assert bodies[2] == "[A message ConsentLine cannot display: interactive]"
    assert bodies[3].startswith("[A message ConsentLine cannot display: unsupported]")
    assert "Message type unknown (131051)" in bodies[3]
    assert bodies[4] == "after them all"
    kept = {p.provider_message_id: p for p in parts(whatsapp)}
    assert kept["wamid.untitled"].outcome == "cannot_display"
    assert json.loads(kept["wamid.untitled"].payload)["interactive"] == {"type": "button_reply"}


def test_duplicates_in_one_post_and_across_retries_are_stored_once(whatsapp: Carrier) -> None:
    payload = retarget(whatsapp_payload("pywa_message:text"))
    value = payload["entry"][0]["changes"][0]["value"]
    value["messages"] = value["messages"] * 2
    assert post_whatsapp(whatsapp, payload).status_code == 200
    assert post_whatsapp(whatsapp, payload).status_code == 200
    assert _user_bodies(whatsapp) == ["Body Text"]
    assert part_count(whatsapp, "message") == 1


def test_a_sender_known_only_by_a_business_scoped_user_id_is_one_contact(
    whatsapp: Carrier, graph_api: GraphStandIn
) -> None:
    payload = retarget(whatsapp_payload("courier_wac:hello_from_bsuid"))
    assert post_whatsapp(whatsapp, payload).status_code == 200
    again = retarget(payload, suffix="second")
    again["entry"][0]["changes"][0]["value"]["messages"][0]["text"]["body"] = "YES"
    assert post_whatsapp(whatsapp, again).status_code == 200
    conversation = whatsapp.api.conversation(whatsapp.tenant, "US.1234", "whatsapp")
    assert conversation["contact"] == "US.1234"
    assert conversation["consent"]["state"] == "opted_in"
    user = [m for m in conversation["messages"] if m["kind"] == "user"]
    assert [(m["body"], m["status"]) for m in user] == [
        ("Hello World", "delivered"),
        ("YES", "keyword"),
    ]
    whatsapp.deliver()  # the request and the confirmation go to the user id
    assert [(s.get("recipient"), s.get("to")) for s in graph_api.sent()] == [("US.1234", None)] * 2


def test_a_message_with_no_sender_at_all_is_kept_and_answered_200(whatsapp: Carrier) -> None:
    payload = retarget(whatsapp_payload("courier_wac:no_from"))
    assert post_whatsapp(whatsapp, payload).status_code == 200
    [part] = parts(whatsapp)
    assert (part.kind, part.outcome, part.message_id) == (
        "message",
        "refused:invalid_phone_number",
        None,
    )
    assert json.loads(part.payload)["text"] == {"body": "Hello World"}


def test_a_system_notice_is_recorded_and_never_starts_an_opt_in_cycle(whatsapp: Carrier) -> None:
    payload = retarget(whatsapp_payload("pywa_system:phone_number_change"))
    assert post_whatsapp(whatsapp, payload).status_code == 200
    conversation = whatsapp.api.conversation(whatsapp.tenant, "+972987654321", "whatsapp")
    assert conversation["consent"]["state"] == "none"
    [notice] = conversation["messages"]
    assert notice["body"] == "[WhatsApp] User A changed from 972987654321 to 972912345678"
    assert (notice["sender"], notice["recipient"], notice["template"]) == (
        "system",
        "employee",
        "carrier_notice",
    )
    assert [r.destination for r in whatsapp.outbox_rows()] == ["employee"]  # nothing to them


def test_an_empty_entry_list_is_403_with_a_wrong_signature_and_200_with_the_right_one(
    whatsapp: Carrier,
) -> None:
    empty = whatsapp_payload("meta_docs:empty_entry")
    assert post_whatsapp(whatsapp, empty, secret="not-the-app-secret").status_code == 403
    unsigned = whatsapp.client.post("/webhooks/whatsapp", content=json.dumps(empty).encode())
    assert unsigned.status_code == 403
    assert post_whatsapp(whatsapp, empty).status_code == 200
    assert part_count(whatsapp) == 0


def test_a_signed_body_that_is_not_json_is_kept_not_refused(whatsapp: Carrier) -> None:
    assert post_whatsapp(whatsapp, b"\xff{not json").status_code == 200
    [part] = parts(whatsapp)
    assert (part.kind, part.part_type) == ("other", "not_whatsapp")


def test_nul_bytes_and_lone_surrogates_are_replaced_in_the_text_and_kept_raw(
    whatsapp: Carrier,
) -> None:
    payload = retarget(whatsapp_payload("pywa_message:text"))
    raw = json.dumps(payload).replace("Body Text", "Hi\\u0000there \\ud83d!").encode()
    assert post_whatsapp(whatsapp, raw).status_code == 200
    assert _user_bodies(whatsapp) == ["Hi\ufffdthere \ufffd!"]
    [part] = parts(whatsapp)
    assert json.loads(part.payload)["text"]["body"] == "Hi\x00there \ud83d!"


def _statuses(wamid: str) -> list[Any]:
    statuses = []
    for status in ("sent", "delivered", "read", "failed"):
        payload = retarget(whatsapp_payload(f"pywa_message_status:{status}"))
        payload["entry"][0]["changes"][0]["value"]["statuses"][0]["id"] = wamid
        statuses.append(payload)
    return statuses


def test_statuses_are_recorded_out_of_order_with_their_error_codes(
    whatsapp: Carrier,
) -> None:
    whatsapp.api.outbound(whatsapp.tenant, "+972987654321", "Hello", channel="whatsapp")
    whatsapp.deliver()
    [item] = [r for r in whatsapp.outbox_rows() if r.destination == "contact"]
    sent, delivered, read, failed = _statuses(item.provider_message_id)
    for payload in (delivered, sent, read):
        assert post_whatsapp(whatsapp, payload).status_code == 200
    [row] = [r for r in whatsapp.outbox_rows() if r.id == item.id]
    assert row.delivery_status == "read"  # a late "sent" never moves it back
    assert post_whatsapp(whatsapp, failed).status_code == 200
    kept = [p for p in parts(whatsapp) if p.kind == "status"]
    assert [(p.part_type, p.error_code) for p in kept] == [
        ("delivered", None),
        ("sent", None),
        ("read", None),
        ("failed", "130472"),
    ]
    assert all(p.outcome == "recorded" for p in kept)
    assert LINE  # the statuses are this line's


def test_nul_bytes_in_ids_and_statuses_never_answer_5xx(whatsapp: Carrier) -> None:
    payload = retarget(whatsapp_payload("pywa_message_status:failed"))
    raw = json.dumps(payload).replace('"failed"', '"fail\\u0000ed\\udc00"')
    raw = raw.replace('"wamid.xyzxyz"', '"wamid.\\u0000"').replace("130472", '"13\\u00002"')
    assert post_whatsapp(whatsapp, raw.encode()).status_code == 200
    [part] = parts(whatsapp)
    assert (part.part_type, part.provider_message_id) == ("fail\ufffded\ufffd", "wamid.\ufffd")
