"""What one message costs the database, counted on both databases: one transaction and at
most ``MOST`` SQL statements for an inbound message in the common cases (a message on a
conversation that already exists, held or delivered; a carrier's retry), and what the
rarer ones cost (a first message, a YES that releases held messages), printed for the
figures in docs/performance.md.

Counted: every statement the driver is handed (``before_cursor_execute``), except the
transaction's own BEGIN that SQLite's driver is sent as SQL; transactions are counted by
SQLAlchemy's ``begin`` event.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import Engine, event

from tests.integration.carriers.conftest import CONTACT, Carrier, twilio_inbound
from tests.integration.carriers.replay import post_whatsapp, retarget, whatsapp_payload

MOST = 10


@dataclass
class Cost:
    statements: list[str] = field(default_factory=list)
    transactions: int = 0

    def __str__(self) -> str:
        return f"{len(self.statements)} statements in {self.transactions} transaction(s)"


@contextmanager
def cost_of(engine: Engine) -> Iterator[Cost]:
    cost = Cost()

    def statement(conn: Any, cursor: Any, sql: str, *args: Any) -> None:
        if sql.split(None, 1)[0].upper() != "BEGIN":
            cost.statements.append(" ".join(sql.split()[:4]))

    def begin(conn: Any) -> None:
        cost.transactions += 1

    event.listen(engine, "before_cursor_execute", statement)
    event.listen(engine, "begin", begin)
    try:
        yield cost
    finally:
        event.remove(engine, "before_cursor_execute", statement)
        event.remove(engine, "begin", begin)


def _twilio(carrier: Carrier, body: str, sid: str) -> Cost:
    with cost_of(carrier.api.engine) as cost:
        response = carrier.twilio_post("/webhooks/twilio", twilio_inbound(body, sid))
    assert response.status_code == 200
    return cost


def _whatsapp(carrier: Carrier, suffix: str) -> Cost:
    """pywa's text message (a real notification), from the same sender each time."""
    payload = retarget(whatsapp_payload("pywa_message:text"), suffix=suffix)
    with cost_of(carrier.api.engine) as cost:
        response = post_whatsapp(carrier, payload)
    assert response.status_code == 200, response.text
    return cost


def _report(name: str, cost: Cost) -> None:
    print(f"{name}: {cost}")  # the figures docs/performance.md quotes (pytest -s)


def test_a_twilio_sms_is_one_transaction_of_few_statements(twilio_line: Carrier) -> None:
    sid = iter(f"SM{n:032d}" for n in range(100))
    first = _twilio(twilio_line, "Hi Ada", next(sid))
    held = _twilio(twilio_line, "Are you there?", next(sid))
    yes = _twilio(twilio_line, "YES", next(sid))
    delivered = _twilio(twilio_line, "Thanks", next(sid))
    retry_sid = next(sid)
    _twilio(twilio_line, "Once only", retry_sid)
    retried = _twilio(twilio_line, "Once only", retry_sid)
    for name, cost in [
        ("first message (new conversation, opt-in request, employee notice)", first),
        ("held while pending", held),
        ("YES (opt-in, confirmation, one held message released)", yes),
        ("delivered", delivered),
    ]:
        _report(name, cost)
        assert cost.transactions == 1, (name, cost.statements)
    for common in (held, delivered):
        assert len(common.statements) <= MOST, common.statements
    # A retry is found when its message cannot be stored twice: that transaction is rolled
    # back and the first answer read, so the common case never looks for it.
    _report("the carrier's retry", retried)
    assert retried.transactions == 2
    assert len(retried.statements) <= MOST, retried.statements
    # The rarer ones stay within a few statements of it: one per extra message written.
    assert len(first.statements) <= MOST + 4, first.statements
    assert len(yes.statements) <= MOST + 4, yes.statements


def test_a_whatsapp_text_is_one_transaction_after_one_read(whatsapp: Carrier) -> None:
    _whatsapp(whatsapp, "1")
    held = _whatsapp(whatsapp, "2")
    _report("WhatsApp text, held", held)
    # The accounts and the line are read in a snapshot that takes no write lock, then the
    # message is one transaction.
    assert held.transactions == 2
    assert len(held.statements) <= MOST, held.statements


@pytest.mark.parametrize("step", ["outbound", "inbound"])
def test_the_api_message_endpoints_are_one_transaction(carrier: Carrier, step: str) -> None:
    api, tenant = carrier.api, carrier.tenant
    api.inbound(tenant, CONTACT, "Hi Ada")
    api.inbound(tenant, CONTACT, "YES")
    send: Callable[[], Any] = (
        (lambda: api.outbound(tenant, CONTACT, "Your statement is ready"))
        if step == "outbound"
        else (lambda: api.inbound(tenant, CONTACT, "Thank you"))
    )
    send()  # the API key's last use is written at most once a minute: not in the count
    with cost_of(api.engine) as cost:
        result = send()
    assert result["status"] == "delivered"
    _report(f"API {step}, delivered", cost)
    assert len(cost.statements) <= MOST, cost.statements
    assert cost.transactions <= 2, cost.statements  # the key is read in a snapshot
