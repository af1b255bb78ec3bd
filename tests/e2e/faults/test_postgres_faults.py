"""PostgreSQL stopped and frozen under load, on a server of these tests' own (the rest of
the suite's server is not disturbed): 503s with Retry-After within the timeouts, never
another 5xx; every acknowledged text kept and sent once; the archive intact; recovery by
itself once PostgreSQL is back."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest
from sqlalchemy import Engine, create_engine

from consentline.store.db import make_engine, migrate
from tests.e2e.faults.support import (
    Load,
    Server,
    assert_failed_well,
    assert_log_keeps_secrets,
    outcome,
    secrets_of,
    tenant_on,
    wait_for,
)
from tests.postgres import PostgresServer

pytestmark = pytest.mark.skipif(
    "postgresql" not in os.environ.get("CONSENTLINE_TEST_DATABASES", "sqlite,postgresql"),
    reason="PostgreSQL faults need PostgreSQL (CONSENTLINE_TEST_DATABASES excludes it)",
)

OUTAGE_SECONDS = 5.0
FREEZE_SECONDS = 8.0
WARM_UP_SECONDS = 1.5
RECOVERY_BOUND = 20.0  # the worker's longest back-off is 10 s; the pool reconnects at once
DRAIN_SECONDS = 45.0


@pytest.fixture
def own_postgres() -> Iterator[PostgresServer]:
    server = PostgresServer(durable=True).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def running(own_postgres: PostgresServer, tmp_path: Path) -> Iterator[tuple[Server, Engine]]:
    admin = create_engine(own_postgres.url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql("CREATE DATABASE faults")
    admin.dispose()
    url = own_postgres.url("faults")
    engine = make_engine(url)
    migrate(engine)
    server = Server(url, tmp_path)
    server.start()
    try:
        yield server, engine
    finally:
        server.stop()
        engine.dispose()


def _ready(base: str) -> int:
    try:
        return httpx.get(f"{base}/readyz", timeout=15).status_code
    except httpx.HTTPError:
        return 0


def test_postgres_stopped_under_load(
    own_postgres: PostgresServer, running: tuple[Server, Engine]
) -> None:
    server, engine = running
    tenant = tenant_on(engine, server.database_url)
    with Load(server.base, tenant) as load:
        time.sleep(WARM_UP_SECONDS)
        own_postgres.halt()
        try:
            time.sleep(OUTAGE_SECONDS / 2)
            readiness_while_down = _ready(server.base)
            time.sleep(OUTAGE_SECONDS / 2)
        finally:
            own_postgres.resume_service()
        back = time.monotonic()
        wait_for(lambda: load.first_success_after(back) is not None, 30)
        recovery = load.first_success_after(back)
        time.sleep(1.0)
    engine.dispose()  # its connections died with the server
    figures = outcome(
        "postgres stopped 5 s",
        "postgresql",
        engine,
        load,
        recovery,
        DRAIN_SECONDS,
        readyz_while_down=readiness_while_down,
    )
    assert readiness_while_down == 503
    assert figures.answers_503 > 0, figures
    assert_failed_well(figures, RECOVERY_BOUND)
    assert _ready(server.base) == 200
    assert_log_keeps_secrets(server.log(), secrets_of(tenant, "fault text"))


def test_postgres_frozen_under_load(
    own_postgres: PostgresServer, running: tuple[Server, Engine]
) -> None:
    server, engine = running
    tenant = tenant_on(engine, server.database_url)
    with Load(server.base, tenant) as load:
        time.sleep(WARM_UP_SECONDS)
        frozen = own_postgres.freeze()
        froze = time.monotonic()
        try:
            asked = time.monotonic()
            readiness_while_frozen = _ready(server.base)
            readyz_seconds = time.monotonic() - asked
            time.sleep(max(0.0, FREEZE_SECONDS - (time.monotonic() - froze)))
        finally:
            own_postgres.thaw(frozen)
        back = time.monotonic()
        wait_for(lambda: load.first_success_after(back) is not None, 30)
        recovery = load.first_success_after(back)
        time.sleep(1.0)
    # Every request that was waiting on the database while it was frozen.
    during = [a for a in load.answers if a.started < back and a.started + a.seconds > froze]
    assert during
    slowest_during = max((a.seconds for a in during), default=0.0)
    figures = outcome(
        "postgres frozen 8 s",
        "postgresql",
        engine,
        load,
        recovery,
        DRAIN_SECONDS,
        readyz_while_frozen=readiness_while_frozen,
        readyz_seconds=round(readyz_seconds, 2),
        slowest_answer_started_in_freeze=round(slowest_during, 2),
    )
    assert readiness_while_frozen == 503
    assert readyz_seconds < FREEZE_SECONDS - 1
    assert figures.answers_503 > 0, figures
    # Answered within the timeouts (2 s to connect, 2 s + 1 s per statement), not the freeze.
    assert slowest_during < FREEZE_SECONDS - 1, figures
    assert_failed_well(figures, RECOVERY_BOUND)
    assert_log_keeps_secrets(server.log(), secrets_of(tenant, "fault text"))
