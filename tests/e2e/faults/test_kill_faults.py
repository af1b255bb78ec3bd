"""The server, with its outbox worker inside, killed with SIGKILL under load and started
again, on both databases: nothing acknowledged is lost, nothing is sent twice (items the
dead worker had claimed are taken over when their lease runs out), the archive is intact."""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import Engine

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

WARM_UP_SECONDS = 2.0
RECOVERY_BOUND = 60.0  # a new process imports, migrates and starts; the machine may be busy
DRAIN_SECONDS = 60.0


def test_server_and_worker_killed_mid_load(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    server = Server(database_url, tmp_path)
    server.start()
    try:
        tenant = tenant_on(engine, database_url)
        with Load(server.base, tenant) as load:
            time.sleep(WARM_UP_SECONDS)
            server.kill()
            killed = time.monotonic()
            time.sleep(0.5)
            server.start()
            wait_for(lambda: load.first_success_after(killed) is not None, 30)
            recovery = load.first_success_after(killed)
            time.sleep(1.0)
        figures = outcome(
            "server and worker killed (SIGKILL)",
            engine.dialect.name,
            engine,
            load,
            recovery,
            DRAIN_SECONDS,
        )
    finally:
        server.stop()
    assert_failed_well(figures, RECOVERY_BOUND)
    assert_log_keeps_secrets(server.log(), secrets_of(tenant, "fault text"))
