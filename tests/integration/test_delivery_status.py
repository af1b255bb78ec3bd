"""Delivery reports on a real database: one conditional UPDATE, never backwards, even when
two reports for the same send arrive at once."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import Engine, select

from consentline.domain.delivery import DeliveryStatus as S
from consentline.service.outbox_worker import deliver_due
from consentline.service.sending import Provider
from consentline.store import outbox as outbox_store
from consentline.store.outbox import OutboxItem
from consentline.store.tables import outbox
from tests.integration.conftest import Gateway

CONTACT = "+15550007001"


class Carrier:
    name = "carrier"

    def send(self, item: OutboxItem) -> str | None:
        return f"SM{item.id:032d}"


def _sent_item(gateway: Gateway) -> tuple[int, str]:
    gateway.inbound(CONTACT, "Hi")
    carrier = Carrier()
    providers: dict[str, Provider] = {"contact": carrier, "employee": carrier}
    deliver_due(gateway.engine, providers, gateway.clock)
    with gateway.engine.connect() as conn:
        row = conn.execute(select(outbox).order_by(outbox.c.id)).first()
    assert row is not None
    assert row.provider_message_id
    return int(row.id), str(row.provider_message_id)


def _report(gateway: Gateway, conn_engine: Engine, sid: str, status: S) -> int | None:
    with conn_engine.begin() as conn:
        return outbox_store.record_delivery(conn, "carrier", sid, status, None, gateway.clock())


def _state(engine: Engine, item_id: int) -> str | None:
    with engine.connect() as conn:
        query = select(outbox.c.delivery_status).where(outbox.c.id == item_id)
        found = conn.execute(query).scalar_one()
    return None if found is None else str(found)


def _race(gateway: Gateway, item_id: int, sid: str, first: S, second: S) -> None:
    """``first`` is written and held uncommitted while ``second`` waits on its lock."""
    engine, errors = gateway.engine, []

    def other() -> None:
        try:
            _report(gateway, engine, sid, second)
        except Exception as error:  # surfaced below
            errors.append(error)

    with engine.connect() as holder:
        holder.begin()
        found = outbox_store.record_delivery(
            holder, "carrier", sid, first, None, gateway.clock(), outbox_id=item_id
        )
        assert found == item_id
        thread = threading.Thread(target=other)
        thread.start()
        time.sleep(0.3)  # the second report is now waiting for the first's row (or lock)
        holder.commit()
    thread.join(timeout=30)
    assert not thread.is_alive()
    assert errors == []


@pytest.mark.parametrize(
    ("one", "other", "final"),
    [
        (S.SENT, S.DELIVERED, S.DELIVERED),
        (S.DELIVERED, S.READ, S.READ),
        (S.SENT, S.FAILED, S.FAILED),
        (S.QUEUED, S.UNDELIVERED, S.UNDELIVERED),
    ],
)
def test_two_reports_at_once_end_in_the_same_state_in_either_order(
    gateway: Gateway, one: S, other: S, final: S
) -> None:
    item_id, sid = _sent_item(gateway)
    _race(gateway, item_id, sid, one, other)
    assert _state(gateway.engine, item_id) == final

    second_id, second_sid = _sent_item(gateway)
    _race(gateway, second_id, second_sid, other, one)
    assert _state(gateway.engine, second_id) == final


def test_a_late_failed_after_read_stays_read(gateway: Gateway) -> None:
    item_id, sid = _sent_item(gateway)
    assert _report(gateway, gateway.engine, sid, S.READ) == item_id
    assert _report(gateway, gateway.engine, sid, S.FAILED) == item_id  # still its item
    assert _state(gateway.engine, item_id) == "read"
    _race(gateway, item_id, sid, S.FAILED, S.DELIVERED)
    assert _state(gateway.engine, item_id) == "read"


def test_an_unknown_status_is_kept_until_a_known_one_arrives(gateway: Gateway) -> None:
    item_id, sid = _sent_item(gateway)
    assert _report(gateway, gateway.engine, sid, S.UNKNOWN) == item_id
    assert _state(gateway.engine, item_id) == "unknown"
    _report(gateway, gateway.engine, sid, S.SENT)
    assert _state(gateway.engine, item_id) == "sent"
    _report(gateway, gateway.engine, sid, S.UNKNOWN)
    assert _state(gateway.engine, item_id) == "sent"


def test_a_report_for_no_message_of_ours_changes_nothing(gateway: Gateway) -> None:
    _sent_item(gateway)
    assert _report(gateway, gateway.engine, "SM-not-ours", S.DELIVERED) is None


def test_the_database_refuses_a_status_outside_the_set(gateway: Gateway) -> None:
    item_id, _ = _sent_item(gateway)
    with pytest.raises(Exception, match=r"(?i)check"), gateway.engine.begin() as conn:
        conn.execute(outbox.update().where(outbox.c.id == item_id).values(delivery_status="x"))
