"""Consent events reach Salesforce as upserts by external id: once each, retried safely."""

from __future__ import annotations

import requests
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from consentline.cli import app
from consentline.salesforce import sync
from consentline.salesforce.client import SalesforceSettings
from consentline.store import queue
from consentline.store.compliance_tables import salesforce_connections, salesforce_outbox
from consentline.store.tables import consent_events
from tests.helpers import FakeClock
from tests.integration.conftest import Gateway
from tests.integration.salesforce.server import (
    CLIENT_ID,
    CLIENT_SECRET,
    PASSWORD,
    USERNAME,
    SalesforceServer,
)

ALICE, BOB = "+15550199001", "+15550199002"
OBJECT, FIELD = "ConsentLine_Consent_Event__c", "ConsentLine_Event_Id__c"


def _connect(gateway: Gateway, server: SalesforceServer, password: str = PASSWORD) -> None:
    settings = SalesforceSettings(
        server.url, "59.0", CLIENT_ID, CLIENT_SECRET, USERNAME, password, OBJECT, FIELD
    )
    with gateway.engine.begin() as conn:
        sync.connect(conn, gateway.org_id, settings, gateway.clock())


def _traffic(gateway: Gateway, clock: FakeClock) -> None:
    gateway.inbound(ALICE, "Hi Grace")
    clock.advance(minutes=1)
    gateway.inbound(ALICE, "YES")
    gateway.outbound(BOB, "Your results are in")
    clock.advance(minutes=1)
    gateway.inbound(BOB, "STOP")


def _outbox(engine: Engine) -> list[dict[str, object]]:
    with engine.connect() as conn:
        query = select(salesforce_outbox).order_by(salesforce_outbox.c.consent_event_id)
        return [dict(row._mapping) for row in conn.execute(query)]


def test_each_consent_event_becomes_one_salesforce_record(
    gateway: Gateway,
    clock: FakeClock,
    salesforce: SalesforceServer,
    trusting_session: requests.Session,
) -> None:
    _connect(gateway, salesforce)
    _traffic(gateway, clock)
    result = sync.push_due(gateway.engine, clock, trusting_session)
    assert (result.enqueued, result.sent, result.failed, result.dead) == (4, 4, 0, 0)

    token_calls = [c for c in salesforce.state.calls if c.path == "/services/oauth2/token"]
    assert len(token_calls) == 1
    assert token_calls[0].body["grant_type"] == "password"
    assert token_calls[0].body["username"] == USERNAME
    with gateway.engine.connect() as conn:
        event_ids = [
            str(i)
            for i in conn.execute(
                select(consent_events.c.id).order_by(consent_events.c.id)
            ).scalars()
        ]
    upserts = salesforce.upserts()
    assert [c.path for c in upserts] == [
        f"/services/data/v59.0/sobjects/{OBJECT}/{FIELD}/{event_id}" for event_id in event_ids
    ]
    assert all(c.headers["Authorization"] == "Bearer 00DTEST!token1" for c in upserts)
    kinds = [(c.body["Contact_Phone__c"], c.body["Event__c"]) for c in upserts]
    assert kinds == [
        (ALICE, "requested"),
        (ALICE, "opted_in"),
        (BOB, "requested"),
        (BOB, "opted_out"),
    ]
    opted_in = upserts[1].body
    assert opted_in["Message__c"] == "YES"
    assert opted_in["Line__c"] == "+15550002001"
    assert opted_in["Employee__c"] == "Grace Hopper"
    assert opted_in["Organization__c"] == "Contoso Clinic"
    assert opted_in["Mode__c"] == "consent"
    assert opted_in["Occurred_At__c"] == "2026-01-05T09:01:00.000Z"
    assert upserts[2].body["Initiated_By__c"] == "employee"
    rows = _outbox(gateway.engine)
    assert {r["status"] for r in rows} == {"sent"}
    assert all(str(r["salesforce_id"]).startswith("a0B") for r in rows)

    again = sync.push_due(gateway.engine, clock, trusting_session)
    assert (again.enqueued, again.sent) == (0, 0)
    assert len(salesforce.upserts()) == 4


def test_a_failure_is_retried_later_without_a_duplicate(
    gateway: Gateway,
    clock: FakeClock,
    salesforce: SalesforceServer,
    trusting_session: requests.Session,
) -> None:
    _connect(gateway, salesforce)
    gateway.inbound(ALICE, "Hi Grace")
    salesforce.state.failures.append(
        (503, [{"message": "Server unavailable", "errorCode": "SERVER_UNAVAILABLE"}])
    )
    salesforce.state.fail_after_saving = 0
    first = sync.push_due(gateway.engine, clock, trusting_session)
    assert (first.sent, first.failed) == (0, 1)
    (row,) = _outbox(gateway.engine)
    assert (row["status"], row["attempts"]) == ("pending", 1)
    assert "SERVER_UNAVAILABLE" in str(row["last_error"])
    assert sync.push_due(gateway.engine, clock, trusting_session).sent == 0  # backing off
    clock.advance(seconds=31)
    assert sync.push_due(gateway.engine, clock, trusting_session).sent == 1
    assert len(salesforce.state.records) == 1


def test_a_lost_answer_lands_on_the_same_record(
    gateway: Gateway,
    clock: FakeClock,
    salesforce: SalesforceServer,
    trusting_session: requests.Session,
) -> None:
    """Salesforce saved the record but the answer was an error: the retry updates it."""
    _connect(gateway, salesforce)
    gateway.inbound(ALICE, "Hi Grace")
    salesforce.state.fail_after_saving = 1
    assert sync.push_due(gateway.engine, clock, trusting_session).failed == 1
    clock.advance(minutes=5)
    assert sync.push_due(gateway.engine, clock, trusting_session).sent == 1
    assert len(salesforce.upserts()) == 2
    assert len(salesforce.state.records) == 1


def test_an_expired_session_logs_in_again(
    gateway: Gateway,
    clock: FakeClock,
    salesforce: SalesforceServer,
    trusting_session: requests.Session,
) -> None:
    _connect(gateway, salesforce)
    gateway.inbound(ALICE, "Hi Grace")
    assert sync.push_due(gateway.engine, clock, trusting_session).sent == 1
    salesforce.expire_sessions()
    gateway.inbound(ALICE, "STOP")
    assert sync.push_due(gateway.engine, clock, trusting_session).sent == 1
    tokens = [c for c in salesforce.state.calls if c.path == "/services/oauth2/token"]
    assert len(tokens) == 2
    assert salesforce.upserts()[-1].headers["Authorization"] == "Bearer 00DTEST!token2"


def test_a_rejected_record_goes_dead_with_salesforces_error(
    gateway: Gateway,
    clock: FakeClock,
    salesforce: SalesforceServer,
    trusting_session: requests.Session,
) -> None:
    _connect(gateway, salesforce)
    gateway.inbound(ALICE, "Hi Grace")
    salesforce.state.failures.append(
        (400, [{"message": "No such column 'Event__c'", "errorCode": "INVALID_FIELD"}])
    )
    assert sync.push_due(gateway.engine, clock, trusting_session).dead == 1
    (row,) = _outbox(gateway.engine)
    assert row["status"] == "dead"
    assert "INVALID_FIELD" in str(row["last_error"])


def test_wrong_credentials_send_nothing_and_keep_the_event(
    gateway: Gateway,
    clock: FakeClock,
    salesforce: SalesforceServer,
    trusting_session: requests.Session,
) -> None:
    _connect(gateway, salesforce, password="wrong")
    gateway.inbound(ALICE, "Hi Grace")
    assert sync.push_due(gateway.engine, clock, trusting_session).failed == 1
    (row,) = _outbox(gateway.engine)
    assert row["status"] == "pending"
    assert "authentication failure" in str(row["last_error"])
    assert "wrong" not in str(row["last_error"])
    assert salesforce.upserts() == []


def test_organizations_without_a_connection_queue_nothing(
    gateway: Gateway, clock: FakeClock
) -> None:
    gateway.inbound(ALICE, "Hi Grace")
    with gateway.engine.begin() as conn:
        assert sync.enqueue(conn, clock()) == 0


def test_cli_connect_stores_the_connection_and_never_prints_secrets(
    gateway: Gateway, database_url: str
) -> None:
    result = CliRunner().invoke(
        app,
        [
            "salesforce",
            "connect",
            "--database-url",
            database_url,
            "--org",
            str(gateway.org_id),
            "--username",
            USERNAME,
            "--client-id",
            CLIENT_ID,
            "--login-url",
            "https://test.salesforce.com",
        ],
        env={
            "CONSENTLINE_SALESFORCE_PASSWORD": PASSWORD,
            "CONSENTLINE_SALESFORCE_CLIENT_SECRET": CLIENT_SECRET,
        },
    )
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    assert CLIENT_SECRET not in result.output
    with gateway.engine.connect() as conn:
        row = conn.execute(select(salesforce_connections)).one()
    assert (row.root_id, row.login_url, row.enabled) == (
        gateway.org_id,
        "https://test.salesforce.com",
        True,
    )


def test_an_event_another_pass_leased_waits_for_its_lease(
    gateway: Gateway,
    clock: FakeClock,
    salesforce: SalesforceServer,
    trusting_session: requests.Session,
) -> None:
    """Two sync processes never push the same event at once; one that died gives it up
    when its lease runs out."""
    _connect(gateway, salesforce)
    gateway.inbound(ALICE, "Hi Grace")
    with gateway.engine.begin() as conn:
        sync.enqueue(conn, clock())
        taken = queue.claim_keys(
            conn,
            salesforce_outbox,
            salesforce_outbox.c.consent_event_id,
            clock(),
            10,
            "crashed-pass",
            sync.LEASE,
            order_by=[salesforce_outbox.c.consent_event_id],
        )
    assert len(taken) == 1
    assert sync.push_due(gateway.engine, clock, trusting_session).sent == 0
    assert salesforce.upserts() == []
    clock.advance(seconds=sync.LEASE.total_seconds() + 1)
    assert sync.push_due(gateway.engine, clock, trusting_session).sent == 1
    (row,) = _outbox(gateway.engine)
    assert (row["status"], row["attempts"], row["lease_owner"]) == ("sent", 2, None)


def test_retries_after_an_outage_are_spread_out(
    gateway: Gateway,
    clock: FakeClock,
    salesforce: SalesforceServer,
    trusting_session: requests.Session,
) -> None:
    """Events that failed together come back at jittered times within the first 30 s."""
    _connect(gateway, salesforce)
    for n in range(8):
        gateway.inbound(f"+155501992{n:02d}", "Hi Grace")
    outage = (503, [{"message": "Server unavailable", "errorCode": "SERVER_UNAVAILABLE"}])
    salesforce.state.failures.extend([outage] * 8)
    salesforce.state.fail_after_saving = 0
    assert sync.push_due(gateway.engine, clock, trusting_session).failed == 8
    waits = [(r["next_attempt_at"] - clock()).total_seconds() for r in _outbox(gateway.engine)]
    assert all(0 <= wait <= 30 for wait in waits)
    assert len(set(waits)) > 1


def test_a_dead_letter_is_sent_again_after_the_cli_retries_it(
    gateway: Gateway,
    clock: FakeClock,
    salesforce: SalesforceServer,
    trusting_session: requests.Session,
    database_url: str,
) -> None:
    _connect(gateway, salesforce)
    gateway.inbound(ALICE, "Hi Grace")
    salesforce.state.failures.append(
        (400, [{"message": "No such column 'Event__c'", "errorCode": "INVALID_FIELD"}])
    )
    assert sync.push_due(gateway.engine, clock, trusting_session).dead == 1
    assert sync.push_due(gateway.engine, clock, trusting_session).sent == 0
    command = ["salesforce", "retry", "--database-url", database_url, "--org"]
    result = CliRunner().invoke(app, [*command, str(gateway.org_id)])
    assert result.exit_code == 0, result.output
    assert "1 dead consent events due again" in result.output
    assert sync.push_due(gateway.engine, clock, trusting_session).sent == 1
    (row,) = _outbox(gateway.engine)
    assert (row["status"], row["attempts"]) == ("sent", 1)
    again = CliRunner().invoke(app, [*command, str(gateway.org_id)])
    assert "0 dead consent events due again" in again.output
