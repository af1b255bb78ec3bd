"""A full disk, made with SQLite's own size limit (``PRAGMA max_page_count``, set on every
connection as it leaves the pool): writes answer 503 with Retry-After and ``/readyz`` says
503 while they do; once there is room again everything recovers by itself, nothing
acknowledged is lost, each text is sent once, the archive is intact."""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event

from consentline.app import create_app
from consentline.config import Config
from consentline.store.db import make_engine
from tests.e2e.faults.support import (
    CONTACTS,
    LINE,
    Answer,
    Load,
    assert_failed_well,
    outcome,
    tenant_on,
)

NO_LIMIT = 1_073_741_823  # SQLite's default max_page_count
ROOM_PAGES = 6
RECOVERY_BOUND = 5.0
DRAIN_SECONDS = 30.0


def test_a_full_disk_is_503_until_there_is_room_again(
    migrated_sqlite: Path, tmp_path: Path
) -> None:
    path = tmp_path / "consentline.db"
    shutil.copy(migrated_sqlite, path)
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    limit = {"pages": NO_LIMIT}

    @event.listens_for(engine, "checkout")
    def _size_limit(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        dbapi_connection.execute(f"PRAGMA max_page_count={limit['pages']}").close()

    tenant = tenant_on(engine, url)
    load = Load("", tenant)  # its answers are recorded here, by hand
    config = Config(database_url=url, outbox_interval=0.1)
    app = create_app(config, engine=engine, run_worker=True)
    headers = {"Authorization": f"Bearer {tenant.key}"}
    number = 0

    def send(client: TestClient) -> int:
        nonlocal number
        body = f"fault text {number}"
        payload = {"line": LINE, "to": CONTACTS[number % len(CONTACTS)], "body": body}
        number += 1
        started = time.monotonic()
        answer = client.post("/api/v1/messages/outbound", json=payload, headers=headers)
        if answer.status_code == 503:
            assert answer.headers["Retry-After"], answer.headers
            assert answer.json()["error"]["code"] == "database_unavailable", answer.text
        load.answers.append(Answer(body, answer.status_code, started, time.monotonic() - started))
        return answer.status_code

    with TestClient(app) as client:
        for _ in range(5):
            assert send(client) == 201
        with engine.connect() as conn:
            pages = int(conn.exec_driver_sql("PRAGMA page_count").scalar_one())
        limit["pages"] = pages + ROOM_PAGES
        statuses = [send(client) for _ in range(120)]
        assert 503 in statuses, statuses
        readiness_when_full = client.get("/readyz")
        full_statuses = [send(client) for _ in range(10)]

        limit["pages"] = NO_LIMIT
        room = time.monotonic()
        readiness_with_room = client.get("/readyz").status_code
        while send(client) != 201 and time.monotonic() - room < RECOVERY_BOUND * 2:
            time.sleep(0.1)
        recovery = load.first_success_after(room)
        for _ in range(5):
            send(client)
        figures = outcome(
            "sqlite disk full (max_page_count)",
            "sqlite",
            engine,
            load,
            recovery,
            DRAIN_SECONDS,
            readyz_when_full=readiness_when_full.status_code,
            readyz_with_room=readiness_with_room,
        )
    engine.dispose()
    assert readiness_when_full.status_code == 503, readiness_when_full.text
    assert readiness_when_full.json()["error"]["code"] == "writes_failing"
    assert set(full_statuses) == {503}, full_statuses
    assert readiness_with_room == 200
    assert_failed_well(figures, RECOVERY_BOUND)
