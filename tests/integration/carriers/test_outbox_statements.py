"""What draining the outbox costs the database: statements counted as SQLAlchemy sends
them (``before_cursor_execute``, SQLite's BEGIN included), with real carriers on the wire
(the Twilio and employee-app stand-ins)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from tests.integration.carriers.conftest import (
    ACCOUNT_SID,
    APP_SECRET_KEY,
    AUTH_TOKEN,
    LINE,
    Carrier,
)
from tests.standins.employee_app import EmployeeAppStandIn
from tests.standins.twilio_api import TwilioStandIn

CONTACTS = [f"+1555777{n:04d}" for n in range(10)]


def test_draining_the_outbox_takes_at_most_two_statements_an_item(
    carrier: Carrier, twilio_api: TwilioStandIn, employee_app: EmployeeAppStandIn
) -> None:
    carrier.providers(
        twilio={"account_sid": ACCOUNT_SID, "auth_token": AUTH_TOKEN, "lines": [LINE]},
        employee_app={"url": employee_app.url + "/consentline", "signing_secret": APP_SECRET_KEY},
    )
    for contact in CONTACTS:  # each: the opt-in request (Twilio), the notice (the app)
        carrier.api.inbound(carrier.tenant, contact, "Hi")
    items = len(carrier.outbox_rows())
    assert items == 2 * len(CONTACTS)

    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    engine = carrier.api.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        delivered = 0
        while sent := carrier.deliver():  # the router `serve` builds, batches of 20
            delivered += sent
    finally:
        event.remove(engine, "before_cursor_execute", count)

    assert delivered == items
    assert len(twilio_api.sent()) == len(CONTACTS)
    assert len(employee_app.state.received) == len(CONTACTS)
    assert {r.status for r in carrier.outbox_rows()} == {"sent"}
    print(f"\n{engine.dialect.name}: {len(statements)} statements for {items} items")
    assert len(statements) <= 2 * items, statements
