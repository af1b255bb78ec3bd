"""The durable outbox: leases, in-doubt attempts, dead letters and their retry."""

from __future__ import annotations

from datetime import timedelta

from consentline.service.outbox_worker import backoff, deliver_due
from consentline.store import outbox as outbox_store
from consentline.store.outbox import OutboxItem
from tests.integration.carriers.conftest import CONTACT, Carrier


class Unreliable:
    """A carrier that can neither dedupe nor be asked what it sent."""

    name = "unreliable"

    def __init__(self, failures: int = 0) -> None:
        self.sent: list[int] = []
        self.failures = failures

    def send(self, item: OutboxItem) -> str | None:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("down")
        self.sent.append(item.id)
        return f"u-{item.id}"


def test_a_leased_item_waits_for_its_lease_and_is_then_sent_once(carrier: Carrier) -> None:
    api = carrier.api
    api.inbound(carrier.tenant, CONTACT, "Hi")  # two items: request and notice
    with api.engine.begin() as conn:
        taken = outbox_store.claim(conn, api.clock(), 10, "crashed", timedelta(seconds=30))
    assert len(taken) == 2
    assert carrier.deliver() == 0  # leased elsewhere
    api.clock.advance(seconds=31)
    assert carrier.deliver() == 2
    assert carrier.deliver() == 0
    assert len(api.phone(carrier.tenant, CONTACT, "contact")) == 1
    assert len(api.phone(carrier.tenant, CONTACT, "employee")) == 1
    assert [(r.status, r.attempts, r.in_doubt) for r in carrier.outbox_rows()] == [
        ("sent", 2, False),
        ("sent", 2, False),
    ]


def test_an_attempt_in_doubt_on_a_carrier_that_cannot_tell_becomes_a_dead_letter(
    carrier: Carrier,
) -> None:
    api = carrier.api
    api.inbound(carrier.tenant, CONTACT, "Hi")
    with api.engine.begin() as conn:
        outbox_store.claim(conn, api.clock(), 10, "crashed", timedelta(seconds=30))
    api.clock.advance(seconds=31)
    unreliable = Unreliable()
    providers = {"contact": unreliable, "employee": unreliable}
    assert deliver_due(api.engine, providers, api.clock) == 0
    assert unreliable.sent == []  # never risk a second text
    rows = carrier.outbox_rows()
    assert {r.status for r in rows} == {"dead"}
    assert all(r.last_error.startswith("outcome_unknown") for r in rows)


def test_a_dead_letter_is_listed_and_retried_through_the_api(carrier: Carrier) -> None:
    api, tenant = carrier.api, carrier.tenant
    api.outbound(tenant, CONTACT, "Hello")
    broken = Unreliable(failures=100)
    providers = {"contact": broken, "employee": broken}
    for _ in range(3):
        deliver_due(api.engine, providers, api.clock, max_attempts=2)
        api.clock.advance(hours=1)
    dead = api.call("GET", f"/api/v1/orgs/{tenant.org_id}/outbox?status=dead", tenant.key, 200)
    assert len(dead["items"]) == 2
    assert all(i["attempts"] == 2 and "down" in i["last_error"] for i in dead["items"])
    item_id = dead["items"][0]["id"]

    other = api.tenant(company="Other Bank", line="+15550001002")
    api.call("POST", f"/api/v1/orgs/{other.org_id}/outbox/{item_id}/retry", other.key, 404)
    answer = api.call(
        "POST", f"/api/v1/orgs/{tenant.org_id}/outbox/{item_id}/retry", tenant.key, 200
    )
    assert answer == {"id": item_id, "status": "pending"}
    api.call("POST", f"/api/v1/orgs/{tenant.org_id}/outbox/{item_id}/retry", tenant.key, 404)
    assert carrier.deliver() == 1
    rows = {r.id: r for r in carrier.outbox_rows()}
    assert (rows[item_id].status, rows[item_id].attempts) == ("sent", 1)


def test_backoff_grows_exponentially_with_full_jitter_up_to_a_cap() -> None:
    for attempts in range(12):
        ceiling = min(3600.0, 2.0 * 2**attempts)
        waits = [backoff(attempts).total_seconds() for _ in range(50)]
        assert all(0 <= w <= ceiling for w in waits)
        assert len(set(waits)) > 1  # jittered
    assert max(backoff(30).total_seconds() for _ in range(50)) <= 3600


def test_a_worker_whose_lease_ran_out_may_not_send_or_record(carrier: Carrier) -> None:
    api = carrier.api
    api.inbound(carrier.tenant, CONTACT, "Hi")
    lease = timedelta(seconds=30)
    with api.engine.begin() as conn:
        slow = outbox_store.claim(conn, api.clock(), 1, "slow-worker", lease)
    api.clock.advance(seconds=31)
    with api.engine.begin() as conn:
        fast = outbox_store.claim(conn, api.clock(), 1, "fast-worker", lease)
        assert [i.id for i in fast] == [i.id for i in slow]
        assert fast[0].in_doubt  # the slow worker may have sent it: check before sending
        assert not outbox_store.renew(conn, slow[0].id, "slow-worker", api.clock(), lease)
        assert not outbox_store.record_sent(
            conn, slow[0].id, "slow-worker", "x", "x-1", api.clock()
        )
        assert outbox_store.renew(conn, fast[0].id, "fast-worker", api.clock(), lease)
