"""SPEC §8 across processes: several server processes deciding on one conversation at once.

Each round starts four processes that fire at the same instant at one conversation (a YES,
a STOP, the employee's text and the contact's text), on SQLite and on PostgreSQL, then
checks the archive: one consistent history, nothing delivered without consent, one
confirmation per decision, every message kept.
"""

from __future__ import annotations

import itertools
import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import pytest
from sqlalchemy import Engine, select

from consentline.domain.messages import Channel
from consentline.service import messaging
from consentline.service.unit_of_work import UnitOfWork
from consentline.store.db import make_engine
from consentline.store.tables import consent_events, message_events, messages
from tests.helpers import FakeClock
from tests.integration.conftest import LINE, OPERATOR, Gateway

ROUNDS = 6
EVENTS = (
    ("inbound", "YES"),
    ("inbound", "STOP"),
    ("outbound", "The documents you asked for"),
    ("inbound", "Any news?"),
)


def _fire(url: str, contact: str, direction: str, body: str, start_at: float) -> str:
    """Run in another process: wait for the common instant, then send one message."""
    engine = make_engine(url)
    clock = FakeClock()
    while time.time() < start_at:
        time.sleep(0.0005)
    try:
        with UnitOfWork(engine) as uow:
            if direction == "inbound":
                result = messaging.receive_inbound(
                    uow,
                    OPERATOR,
                    line=LINE,
                    sender=contact,
                    body=body,
                    channel=Channel.SMS,
                    now=clock(),
                )
            else:
                result = messaging.send_outbound(
                    uow,
                    OPERATOR,
                    line=LINE,
                    to=contact,
                    body=body,
                    channel=Channel.SMS,
                    now=clock(),
                )
        return result.status
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def pool() -> Any:
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=len(EVENTS), mp_context=context) as executor:
        # Warm the processes up (imports), so that the rounds really start together.
        list(executor.map(time.sleep, [0.01] * len(EVENTS)))
        yield executor


def _check_round(engine: Engine, contact: str) -> None:
    with engine.connect() as conn:
        conversation_id = conn.execute(
            select(messages.c.conversation_id).where(messages.c.body == f"opening {contact}")
        ).scalar_one()
        history = conn.execute(
            select(consent_events.c.old_state, consent_events.c.new_state)
            .where(consent_events.c.conversation_id == conversation_id)
            .order_by(consent_events.c.id)
        ).all()
        rows = conn.execute(
            select(messages.c.id, messages.c.kind, messages.c.template, messages.c.body)
            .where(messages.c.conversation_id == conversation_id)
            .order_by(messages.c.id)
        ).all()
        events = conn.execute(
            select(
                message_events.c.message_id, message_events.c.status, message_events.c.consent_state
            )
            .where(message_events.c.conversation_id == conversation_id)
            .order_by(message_events.c.id)
        ).all()
    # One consistent history: each change starts where the previous one ended.
    for before, after in itertools.pairwise(history):
        assert after.old_state == before.new_state
    # Nothing lost: the opening message and the four raced ones are all archived.
    user_bodies = [r.body for r in rows if r.kind == "user"]
    assert sorted(user_bodies) == sorted([f"opening {contact}", *(b for _, b in EVENTS)])
    # Nothing delivered without consent: a user message goes out only while opted in.
    user_ids = {r.id for r in rows if r.kind == "user"}
    for event in events:
        if event.message_id in user_ids and event.status == "delivered":
            assert event.consent_state == "opted_in"
    # One confirmation per decision.
    templates = [r.template for r in rows if r.kind == "auto"]
    opt_ins = sum(1 for h in history if h.new_state == "opted_in" and h.old_state != "opted_in")
    opt_outs = sum(1 for h in history if h.new_state == "opted_out" and h.old_state != "opted_out")
    assert templates.count("mt_confirmation") + templates.count("mo_confirmation") == opt_ins
    assert (
        templates.count("mt_optout_confirmation") + templates.count("mo_optout_confirmation")
        == opt_outs
    )


@pytest.mark.parametrize("round_number", range(ROUNDS))
def test_four_processes_at_once_leave_one_consistent_conversation(
    gateway: Gateway, database_url: str, pool: Any, round_number: int
) -> None:
    contact = f"+1555000{7100 + round_number}"
    gateway.inbound(contact, f"opening {contact}")  # pending, held
    start_at = time.time() + 0.3
    futures = [
        pool.submit(_fire, database_url, contact, direction, body, start_at)
        for direction, body in EVENTS
    ]
    statuses = [future.result(timeout=60) for future in futures]
    assert all(status in {"held", "delivered", "keyword", "blocked"} for status in statuses)
    _check_round(gateway.engine, contact)
