"""The outbox: each committed message is handed to its provider once, failures retried."""

from __future__ import annotations

from sqlalchemy import select

from consentline.app import default_providers
from consentline.providers.outbox import Provider, deliver_due
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
