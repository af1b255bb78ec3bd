"""GET /api/v1/reports/revocations on a seeded day of traffic: every opt-out with its
confirmation latency, its 10-business-day deadline and the messages after it."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import insert, select

from consentline.service.carrier_optout import mirror_opt_out
from consentline.service.unit_of_work import UnitOfWork
from consentline.store.tables import conversations, messages, outbox
from tests.helpers import Api, Tenant

URL = "/api/v1/reports/revocations"
BOB_LINE = "+15550001002"
# Monday 2026-01-05, 09:00 UTC (tests/helpers.START). Ten business days later, skipping
# the weekends and Martin Luther King Jr. Day (Monday 2026-01-19): Tuesday 2026-01-20.
DEADLINE = "2026-01-20"


def _contact(n: int) -> str:
    return f"+1555888{n:04d}"


def _report(api: Api, tenant: Tenant, expect: int = 200, **params: Any) -> Any:
    return api.call("GET", URL, tenant.key, expect, params=params)


def _seed_day(api: Api) -> tuple[Tenant, Tenant]:
    """A working day on two lines: 30 contacts write, 20 opt in, 6 opt out by keyword
    (English and Spanish), one more is stopped by the carrier, one asks for HELP after
    opting out. The outbox runs every 30 seconds, except once when it is down for 7
    minutes (that opt-out's confirmation is late)."""
    ada = api.tenant()
    api.settings(ada, languages=["en", "es"])
    api.call(
        "POST",
        f"/api/v1/orgs/{ada.org_id}/lines",
        ada.key,
        201,
        json={"number": BOB_LINE, "employee_name": "Bob Smith"},
    )
    bob = Tenant(ada.org_id, ada.key, BOB_LINE, "Bob Smith", ada.company)
    for n in range(30):
        line = ada if n % 2 == 0 else bob
        api.inbound(line, _contact(n), "Hello, a question about my account")
        api.clock.advance(seconds=30)
        api.deliver()
        if n < 20:
            api.inbound(line, _contact(n), "YES")
            api.outbound(line, _contact(n), "Thanks, here is the answer")
        elif n < 26:
            api.inbound(line, _contact(n), "STOP" if n % 3 else "baja")
            api.outbound(line, _contact(n), "Sorry to see you go")  # blocked
        api.clock.advance(seconds=30)
        api.deliver()
    # The outbox is down for 7 minutes while contact 26 opts out.
    api.inbound(ada, _contact(26), "Stop")
    api.clock.advance(minutes=7)
    api.deliver()
    api.inbound(ada, _contact(26), "HELP")  # answered: the contact asked
    api.deliver()
    # The carrier reports that contact 27 stopped (Twilio error 21610 on a send).
    with api.engine.connect() as conn:
        conversation_id = conn.execute(
            select(conversations.c.id).where(conversations.c.contact == _contact(27))
        ).scalar_one()
    with UnitOfWork(api.engine) as uow:
        mirror_opt_out(uow, conversation_id, "21610", api.clock())
        uow.commit()
    api.clock.advance(hours=1)
    return ada, bob


@pytest.fixture
def seeded(api: Api) -> tuple[Tenant, Tenant]:
    return _seed_day(api)


def test_every_opt_out_with_its_clock_and_the_summary(
    api: Api, seeded: tuple[Tenant, Tenant]
) -> None:
    ada, _ = seeded

    body = _report(api, ada)

    assert (body["total"], body["page"], body["page_size"]) == (8, 1, 50)
    rows = body["rows"]
    assert [row["contact"] for row in rows] == [_contact(n) for n in (27, 26, *range(25, 19, -1))]
    carrier, late, *keyword = rows
    assert set(carrier) == {
        "org_id",
        "line",
        "contact",
        "channel",
        "source",
        "received_at",
        "confirmation_sent_at",
        "confirmation_latency_s",
        "deadline",
        "messages_after",
    }
    assert carrier["source"] == "carrier"
    assert carrier["confirmation_sent_at"] is None
    assert carrier["confirmation_latency_s"] is None
    assert late["source"] == "keyword"
    assert late["confirmation_latency_s"] == 420.0
    assert late["line"] == "+15550001001"
    for row in keyword:
        assert row["source"] == "keyword"
        assert row["confirmation_latency_s"] == 30.0
        assert row["messages_after"] == 0
        assert row["deadline"] == DEADLINE
        assert row["org_id"] == ada.org_id
        assert row["channel"] == "sms"
    first = keyword[-1]  # contact 20, Ada's line: 20 contacts x 60 s after 09:00, then 30 s
    assert first["received_at"] == "2026-01-05T09:20:30Z"
    assert first["confirmation_sent_at"] == "2026-01-05T09:21:00Z"
    assert body["summary"] == {
        "count": 8,
        "confirmed": 7,
        "confirmation_latency_p50_s": 30.0,
        "confirmation_latency_p99_s": 420.0,
        "confirmation_latency_max_s": 420.0,
        "confirmations_later_than_5_minutes": 1,
        "messages_after_revocation": 0,
        "by_source": {"keyword": 7, "carrier": 1, "staff": 0, "import": 0},
    }


def test_a_message_that_reached_the_contact_after_the_revocation_is_counted(
    api: Api, seeded: tuple[Tenant, Tenant]
) -> None:
    """The product never sends one; a message written behind its back (here straight into
    the tables, as a faulty integration might) shows up in the report."""
    ada, _ = seeded
    with api.engine.begin() as conn:
        row = conn.execute(
            select(conversations.c.id, conversations.c.root_id).where(
                conversations.c.contact == _contact(21)
            )
        ).one()
        at = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
        message_id = conn.execute(
            insert(messages).values(
                root_id=row.root_id,
                conversation_id=row.id,
                sender="employee",
                recipient="contact",
                kind="user",
                body="One more offer",
                channel="sms",
                created_at=at,
            )
        ).inserted_primary_key[0]
        conn.execute(
            insert(outbox).values(
                message_id=message_id,
                destination="contact",
                status="sent",
                attempts=1,
                next_attempt_at=at,
                sent_at=at,
                created_at=at,
            )
        )

    body = _report(api, ada)

    counted = {row["contact"]: row["messages_after"] for row in body["rows"]}
    assert counted[_contact(21)] == 1
    assert sum(counted.values()) == 1
    assert body["summary"]["messages_after_revocation"] == 1


def test_filters_paging_and_csv(api: Api, seeded: tuple[Tenant, Tenant]) -> None:
    ada, _ = seeded

    assert _report(api, ada, **{"from": "2026-01-06"})["total"] == 0
    assert _report(api, ada, **{"from": "2026-01-05", "to": "2026-01-05"})["total"] == 8
    page = _report(api, ada, page=2, page_size=3)
    assert [row["contact"] for row in page["rows"]] == [_contact(n) for n in (24, 23, 22)]
    assert page["summary"]["count"] == 8

    response = api.client.get(
        URL, params={"format": "csv"}, headers={"Authorization": f"Bearer {ada.key}"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert table[0] == [
        "Organization id",
        "Line",
        "Contact",
        "Channel",
        "Source",
        "Received at (UTC)",
        "Confirmation sent at (UTC)",
        "Confirmation latency (s)",
        "Deadline (10 US business days)",
        "Messages after revocation",
    ]
    assert len(table) == 9
    assert table[2][2] == _contact(26)
    assert table[2][7] == "420.0"


def test_needs_the_reports_privilege_and_stays_in_its_tree(
    api: Api, seeded: tuple[Tenant, Tenant]
) -> None:
    ada, _ = seeded
    key = api.call(
        "POST",
        f"/api/v1/orgs/{ada.org_id}/api-keys",
        ada.key,
        201,
        json={"name": "send only", "privileges": ["messaging"]},
    )["key"]
    assert api.call("GET", URL, key, 403)["error"]["code"] == "missing_privilege"
    other = api.tenant(company="Other Bank", line="+15550009009")
    assert _report(api, other)["total"] == 0
    _report(api, other, 404, org=ada.org_id)
    assert _report(api, ada, 422, page_size=0)["error"]["code"] == "invalid_request"
