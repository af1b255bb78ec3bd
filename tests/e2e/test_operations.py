"""Operations: readiness, metrics, request ids, body size limits, security headers."""

from __future__ import annotations

import json
import logging
import threading

import pytest
from sqlalchemy import Engine, text

from consentline.observability import JsonFormatter, request_id
from consentline.service.unit_of_work import UnitOfWork
from consentline.store.outbox import pending_count
from tests.helpers import Api


def test_readyz_is_ready_on_a_migrated_database(api: Api) -> None:
    assert api.client.get("/readyz").json() == {"status": "ready"}


def test_readyz_answers_503_when_a_migration_is_missing(api: Api, engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM alembic_version"))
    answer = api.client.get("/readyz")
    assert answer.status_code == 503
    assert answer.json()["error"]["code"] == "migrations_pending"


def test_metrics_count_decisions_by_outcome(api: Api) -> None:
    def held_count() -> float:
        page = api.client.get("/metrics").text
        for line in page.splitlines():
            if line.startswith('consentline_decisions_total{direction="inbound",outcome="held"}'):
                return float(line.rsplit(" ", 1)[1])
        return 0.0

    tenant = api.tenant()
    before = held_count()
    api.inbound(tenant, "+15550009001", "Hello")
    assert held_count() == before + 1
    assert "consentline_http_request_duration_seconds_bucket" in api.client.get("/metrics").text


def test_every_answer_carries_a_request_id_and_security_headers(api: Api) -> None:
    answer = api.client.get("/healthz")
    assert len(answer.headers["X-Request-ID"]) == 32
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["X-Frame-Options"] == "DENY"
    echoed = api.client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert echoed.headers["X-Request-ID"] == "abc-123"
    refused = api.client.get("/healthz", headers={"X-Request-ID": "bad id\n"})
    assert refused.headers["X-Request-ID"] != "bad id\n"


def test_a_body_over_the_limit_is_refused_with_413_and_changes_nothing(api: Api) -> None:
    tenant = api.tenant()
    payload = {"from": "+15550009002", "line": tenant.line, "body": "x" * 1_100_000}
    answer = api.client.post(
        "/api/v1/messages/inbound", json=payload, headers={"Authorization": f"Bearer {tenant.key}"}
    )
    assert answer.status_code == 413
    assert answer.json()["error"]["code"] == "body_too_large"
    assert api.conversation(tenant, "+15550009002")["messages"] == []


def test_the_access_log_is_json_with_the_request_id_and_masked_numbers(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    tenant = api.tenant()
    with caplog.at_level(logging.INFO, logger="consentline.access"):
        api.client.get(
            "/api/v1/conversations",
            params={"line": tenant.line, "contact": "+15550009003"},
            headers={"Authorization": f"Bearer {tenant.key}", "X-Request-ID": "req-42"},
        )
    record = next(r for r in caplog.records if r.name == "consentline.access")
    token = request_id.set("req-42")
    try:
        line = json.loads(JsonFormatter().format(record))
    finally:
        request_id.reset(token)
    assert line["request_id"] == "req-42"
    assert line["status"] == 200
    assert "15550009003" not in line["message"]
    assert line["message"].endswith("contact=+*********03 200")


def test_the_api_docs_page_uses_swagger_ui_from_this_server(api: Api) -> None:
    page = api.client.get("/docs").text
    assert "/api/static/vendor/swagger-ui/swagger-ui-bundle.js" in page
    assert "cdn." not in page
    script = api.client.get("/api/static/vendor/swagger-ui/swagger-ui-bundle.js")
    assert script.status_code == 200
    assert len(script.content) > 100_000


def test_readyz_answers_while_a_write_transaction_is_open(api: Api, engine: Engine) -> None:
    """A probe never waits for the write lock (on SQLite a write holds it from its start),
    so a busy server is not reported unreachable."""
    with UnitOfWork(engine) as uow:
        uow.connection.execute(text("UPDATE orgs SET name = name WHERE id = 0"))
        answer = api.client.get("/readyz")
    assert answer.status_code == 200


def test_a_read_leaves_writers_free_while_it_is_open(api: Api, engine: Engine) -> None:
    """A GET's unit of work reads a snapshot: a message can be written meanwhile (on SQLite
    a write transaction would hold the only write lock until the GET's response was sent)."""
    tenant = api.tenant()
    written: list[int] = []
    with UnitOfWork(engine, read_only=True) as reading:
        reading.connection.execute(text("SELECT count(*) FROM messages")).scalar_one()
        writer = threading.Thread(
            target=lambda: written.append(api.inbound(tenant, "+15550009003", "Hello")["id"])
        )
        writer.start()
        writer.join(timeout=10)
        assert not writer.is_alive(), "the write waited for a read to finish"
    assert len(written) == 1


def test_the_outbox_worker_is_woken_after_the_message_is_committed(api: Api) -> None:
    """Woken before the commit, the worker would find nothing and sleep an interval."""
    tenant = api.tenant(entitled=False)
    pending_when_woken: list[int] = []

    def wake() -> None:
        with api.engine.connect() as conn:
            pending_when_woken.append(pending_count(conn))

    api.client.app.state.wake_outbox = wake  # type: ignore[attr-defined]
    api.outbound(tenant, "+15550009004", "Your statement is ready")
    assert pending_when_woken == [1]
