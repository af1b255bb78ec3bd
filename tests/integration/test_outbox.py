"""The outbox: each committed message is handed to its provider once, failures retried."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.exc import OperationalError

from consentline.app import default_providers
from consentline.service.outbox_worker import BatchInterrupted, deliver_due, release_items
from consentline.service.sending import Provider
from consentline.store.outbox import OutboxItem
from consentline.store.tables import outbox, simulator_deliveries
from tests.integration.conftest import Gateway

CONTACT = "+15550007001"


class FlakyProvider:
    """Fails the first ``failures`` sends, then records like the simulator."""

    name = "flaky"

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.sent: list[str] = []

    def send(self, item: OutboxItem) -> str | None:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("carrier unreachable")
        self.sent.append(item.body)
        return f"flaky-{item.id}"


def _statuses(gateway: Gateway) -> list[tuple[str, int]]:
    with gateway.engine.connect() as conn:
        return [(r.status, r.attempts) for r in conn.execute(select(outbox).order_by(outbox.c.id))]


def test_each_message_is_delivered_once_however_often_the_worker_runs(gateway: Gateway) -> None:
    gateway.inbound(CONTACT, "Hi")
    gateway.inbound(CONTACT, "YES")
    providers = default_providers()
    assert deliver_due(gateway.engine, providers, gateway.clock) == 5
    assert deliver_due(gateway.engine, providers, gateway.clock) == 0
    with gateway.engine.connect() as conn:
        bodies = [r.body for r in conn.execute(select(simulator_deliveries))]
    assert len(bodies) == 5
    assert bodies[-1] == "Hi"  # the held message, released after confirmation and notice
    assert all(status == "sent" for status, _ in _statuses(gateway))


def test_a_failed_send_is_retried_later_with_backoff(gateway: Gateway) -> None:
    gateway.inbound(CONTACT, "Hi")  # request to the contact, notice to the employee
    flaky = FlakyProvider(failures=1)
    providers: dict[str, Provider] = {"contact": flaky, "employee": flaky}
    assert deliver_due(gateway.engine, providers, gateway.clock) == 1
    assert _statuses(gateway) == [("pending", 1), ("sent", 1)]
    # Not due again until its backoff has passed.
    gateway.clock.advance(seconds=5)
    assert deliver_due(gateway.engine, providers, gateway.clock) == 1
    assert _statuses(gateway) == [("sent", 2), ("sent", 1)]
    assert len(flaky.sent) == 2


def test_a_message_that_keeps_failing_becomes_a_dead_letter(gateway: Gateway) -> None:
    gateway.outbound(CONTACT, "Hello")  # mo_request and mo_requested_notice
    broken = FlakyProvider(failures=1000)
    providers: dict[str, Provider] = {"contact": broken, "employee": broken}
    for _ in range(4):
        deliver_due(gateway.engine, providers, gateway.clock, max_attempts=3)
        gateway.clock.advance(hours=2)
    assert _statuses(gateway) == [("dead", 3), ("dead", 3)]
    with gateway.engine.connect() as conn:
        errors = [r.last_error for r in conn.execute(select(outbox))]
    assert all("carrier unreachable" in (e or "") for e in errors)


class ReconcilingProvider:
    """Sends, remembers what it sent, and can say so (as Twilio's message list can);
    ``after_first_send`` runs once, just after the first send."""

    name = "reconciling"

    def __init__(self, after_first_send: Callable[[], None]) -> None:
        self.after_first_send: Callable[[], None] | None = after_first_send
        self.sent: dict[int, str] = {}

    def send(self, item: OutboxItem) -> str | None:
        assert item.id not in self.sent, "sent twice"
        self.sent[item.id] = item.body
        if self.after_first_send is not None:
            self.after_first_send, then = None, self.after_first_send
            then()
        return f"r-{item.id}"

    def find_sent(self, item: OutboxItem) -> str | None:
        return f"r-{item.id}" if item.id in self.sent else None


def test_a_database_failure_mid_batch_gives_the_items_back_at_once(gateway: Gateway) -> None:
    """The database fails just after a send: the batch's items are released (once the
    database answers again), not held until their lease runs out; those that went out
    unrecorded (the batch records its sends together at its end) are in doubt, so the
    carrier is asked before anything is sent again."""
    gateway.inbound(CONTACT, "Hi")  # two items: the request to the contact, the notice
    down = {"now": False}

    @event.listens_for(gateway.engine, "before_cursor_execute")
    def _outage(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if down["now"] and statement.lstrip().upper().startswith("UPDATE OUTBOX"):
            raise OperationalError(statement, {}, Exception("the database went away"))

    provider = ReconcilingProvider(after_first_send=lambda: down.update(now=True))
    providers: dict[str, Provider] = {"contact": provider, "employee": provider}
    with pytest.raises(BatchInterrupted) as interrupted:
        deliver_due(gateway.engine, providers, gateway.clock, owner="w1", lease_seconds=120)
    unreleased = interrupted.value.unreleased
    assert [maybe_sent for _, maybe_sent in unreleased] == [True, True]

    down["now"] = False
    assert release_items(gateway.engine, unreleased, "w1", gateway.clock()) == []
    with gateway.engine.connect() as conn:
        rows = conn.execute(select(outbox).order_by(outbox.c.id)).all()
    assert [(r.lease_owner, r.in_doubt, r.attempts) for r in rows] == [
        (None, True, 1),  # handed to the carrier, outcome unrecorded: ask first
        (None, True, 1),
    ]

    assert deliver_due(gateway.engine, providers, gateway.clock, owner="w2") == 2
    assert sorted(provider.sent) == [rows[0].id, rows[1].id]  # each sent once
    assert [status for status, _ in _statuses(gateway)] == ["sent", "sent"]


class PlainProvider:
    """Sends, but can neither be asked what it sent nor dedupe (as WhatsApp)."""

    name = "plain"

    def __init__(self, after_first_send: Callable[[], None]) -> None:
        self.after_first_send: Callable[[], None] | None = after_first_send
        self.sent: list[int] = []

    def send(self, item: OutboxItem) -> str | None:
        self.sent.append(item.id)
        if self.after_first_send is not None:
            self.after_first_send, then = None, self.after_first_send
            then()
        return f"p-{item.id}"


def test_a_send_no_carrier_could_confirm_later_is_recorded_before_the_next(
    gateway: Gateway,
) -> None:
    """On a carrier that cannot settle a doubt, each send is recorded at once: the database
    failing just after the first send stops the batch before the second goes out."""
    gateway.inbound(CONTACT, "Hi")
    down = {"now": False}

    @event.listens_for(gateway.engine, "before_cursor_execute")
    def _outage(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if down["now"] and statement.lstrip().upper().startswith("UPDATE OUTBOX"):
            raise OperationalError(statement, {}, Exception("the database went away"))

    provider = PlainProvider(after_first_send=lambda: down.update(now=True))
    providers: dict[str, Provider] = {"contact": provider, "employee": provider}
    with pytest.raises(BatchInterrupted) as interrupted:
        deliver_due(gateway.engine, providers, gateway.clock, owner="w1")
    assert [maybe_sent for _, maybe_sent in interrupted.value.unreleased] == [True, False]
    assert len(provider.sent) == 1
