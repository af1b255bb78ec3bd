"""SPEC §8: two events on one conversation at the same moment end in one consistent state.

Each round fires two events from two threads at once, each in its own transaction, against
a SQLite file; the outcome must equal one of the two serial orders.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from consentline.store.tables import consent_events, conversations, message_events, messages
from tests.integration.conftest import Gateway

ROUNDS = 15


def _race(*actions: Callable[[], Any]) -> list[Any]:
    barrier = threading.Barrier(len(actions))
    results: list[Any] = [None] * len(actions)
    errors: list[BaseException] = []

    def run(index: int, action: Callable[[], Any]) -> None:
        barrier.wait()
        try:
            results[index] = action()
        except BaseException as error:  # surfaced below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, f"an event was refused because of the race: {errors!r}"
    return results


def _history_is_a_chain(gateway: Gateway, contact: str) -> list[str]:
    """The consent history links up: each change starts where the previous one ended."""
    with gateway.engine.connect() as conn:
        conversation_id = conn.execute(
            select(conversations.c.id).where(conversations.c.contact == contact)
        ).scalar_one()
        rows = conn.execute(
            select(consent_events.c.old_state, consent_events.c.new_state)
            .where(consent_events.c.conversation_id == conversation_id)
            .order_by(consent_events.c.id)
        ).all()
    for before, after in itertools.pairwise(rows):
        assert after.old_state == before.new_state
    return [row.new_state for row in rows]


def _auto_templates(gateway: Gateway, contact: str) -> list[str]:
    history = gateway.conversation(contact)["messages"]
    assert isinstance(history, list)
    return [m["template"] for m in history if m["kind"] == "auto"]


@pytest.mark.parametrize("round_number", range(ROUNDS))
def test_yes_and_stop_at_once_end_in_one_serial_order(gateway: Gateway, round_number: int) -> None:
    contact = f"+1555000{3000 + round_number}"
    gateway.inbound(contact, "Hello")
    yes, stop = _race(
        lambda: gateway.inbound(contact, "YES"), lambda: gateway.inbound(contact, "STOP")
    )

    view = gateway.conversation(contact)
    states = _history_is_a_chain(gateway, contact)
    templates = _auto_templates(gateway, contact)
    held = next(m for m in view["messages"] if m["body"] == "Hello")  # type: ignore[index, union-attr]
    if (
        yes.consent["state"] == "opted_in"
        and stop.consent["state"] == "opted_out"
        and states[-1] == "opted_out"
        and states[-2] == "opted_in"
    ):
        # YES first: opted in (held message delivered), then STOP opted out.
        assert held["status"] == "delivered"
        assert templates.count("mt_confirmation") == 1
        assert templates.count("mt_optout_confirmation") == 1
        assert view["consent"]["state"] == "opted_out"  # type: ignore[index]
    else:
        # STOP first: opted out (held message discarded); the later YES opts back in.
        assert states[-2:] == ["opted_out", "opted_in"]
        assert held["status"] == "discarded"
        assert templates.count("mt_optout_confirmation") == 1
        assert templates.count("mt_confirmation") == 1
        assert view["consent"]["state"] == "opted_in"  # type: ignore[index]


@pytest.mark.parametrize("round_number", range(ROUNDS))
def test_yes_and_an_outbound_text_at_once_never_deliver_without_consent(
    gateway: Gateway, round_number: int
) -> None:
    contact = f"+1555000{4000 + round_number}"
    gateway.inbound(contact, "Hello")
    _yes, text = _race(
        lambda: gateway.inbound(contact, "yes"),
        lambda: gateway.outbound(contact, "Here are the documents"),
    )
    view = gateway.conversation(contact)
    assert view["consent"]["state"] == "opted_in"  # type: ignore[index]
    sent = next(m for m in view["messages"] if m["body"] == "Here are the documents")  # type: ignore[index, union-attr]
    # Held before the YES and then released, or sent after it: delivered either way, once.
    assert sent["status"] == "delivered"
    assert text.status in ("held", "delivered")
    assert _auto_templates(gateway, contact).count("mt_confirmation") == 1
    _history_is_a_chain(gateway, contact)


@pytest.mark.parametrize("round_number", range(ROUNDS))
def test_first_messages_from_both_sides_at_once_start_one_cycle(
    gateway: Gateway, round_number: int
) -> None:
    contact = f"+1555000{5000 + round_number}"
    inbound, outbound = _race(
        lambda: gateway.inbound(contact, "Hi there"),
        lambda: gateway.outbound(contact, "Hello from the bank"),
    )
    assert inbound.status == outbound.status == "held"
    templates = _auto_templates(gateway, contact)
    requests = [t for t in templates if t.endswith("_request")]
    notices = [t for t in templates if t.endswith("_requested_notice")]
    assert len(requests) == 1
    assert len(notices) == 1
    assert _history_is_a_chain(gateway, contact) == ["pending"]


def test_a_repeated_provider_message_id_at_once_is_stored_once(gateway: Gateway) -> None:
    contact = "+15550006000"
    first, second = _race(
        lambda: gateway.inbound(contact, "Hi", provider_message_id="SM-dup"),
        lambda: gateway.inbound(contact, "Hi", provider_message_id="SM-dup"),
    )
    assert first.id == second.id
    assert sorted([first.replayed, second.replayed]) == [False, True]
    with gateway.engine.connect() as conn:
        stored = conn.execute(select(messages.c.id).where(messages.c.body == "Hi")).all()
        events = conn.execute(
            select(message_events.c.id).where(message_events.c.message_id == first.id)
        ).all()
    assert len(stored) == 1
    assert len(events) == 1
