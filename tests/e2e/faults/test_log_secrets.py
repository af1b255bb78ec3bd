"""The server's own log, after each kind of failure, holds no whole phone number, message
body, email, password hash, API key or key hash: bad input (422s), constraint violations
(lines created twice at once), every database connection killed under load (the pool
reconnects), and portal sign-ins with wrong passwords. The outages proper (PostgreSQL
stopped and frozen) check their servers' logs the same way."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import httpx2 as httpx
from sqlalchemy import Engine, text

from tests.e2e.faults.support import (
    CONTACTS,
    LINE,
    Load,
    Server,
    assert_log_keeps_secrets,
    secrets_of,
    tenant_on,
    wait_for,
)

EMAIL = "grace.hopper@northwind.test"
PASSWORD = "correct horse battery staple"
BODY = "my account number is 12345678 and my secret word is plum"


def test_failures_leave_no_secrets_in_the_log(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    server = Server(database_url, tmp_path, env_extra={"CONSENTLINE_LOG_FORMAT": "json"})
    server.start()
    try:
        tenant = tenant_on(engine, database_url)
        headers = {"Authorization": f"Bearer {tenant.key}"}
        org = f"/api/v1/orgs/{tenant.org_id}"
        with httpx.Client(base_url=server.base, timeout=30) as client:
            user = {"email": EMAIL, "name": "Grace", "password": PASSWORD, "privileges": []}
            assert client.post(f"{org}/users", json=user, headers=headers).status_code == 201
            inbound = {"from": CONTACTS[0], "line": LINE, "body": BODY}
            assert client.post("/api/v1/messages/inbound", json=inbound, headers=headers).is_success
            # Bad input of every kind.
            for bad in ["\x00", "\ud800", "\n"]:
                payload = {"from": CONTACTS[1], "line": LINE, "body": BODY + bad}
                payload["provider_message_id"] = f"SM{bad}"
                client.post(
                    "/api/v1/messages/inbound",
                    content=json.dumps(payload),
                    headers={**headers, "Content-Type": "application/json"},
                )
            client.get(f"/api/v1/conversations?line={LINE}&contact={CONTACTS[0]}%00")
            # Portal sign-ins with a wrong password, and with the right one.
            client.get("/login")
            for password in ["wrong password", PASSWORD]:
                client.post("/login", data={"email": EMAIL, "password": password})

        # The same new line, many times at once: one is created, the rest conflict.
        answers: list[int] = []

        def add_line() -> None:
            body = {"number": CONTACTS[5], "employee_name": "Twin"}
            answer = httpx.post(f"{server.base}{org}/lines", json=body, headers=headers)
            answers.append(answer.status_code)

        threads = [threading.Thread(target=add_line) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert sorted(set(answers)) == [201, 409], answers

        # An outage: every connection of the server to the database dies, under load.
        with Load(server.base, tenant) as load:
            wait_for(lambda: load.count(201) > 2, 30)
            _kill_connections(engine)
            wait_for(lambda: load.count(201) > 10, 30)
        assert not [a for a in load.answers if a.status >= 500 and a.status != 503]
    finally:
        server.stop()
    log = server.log()
    assert "wrong password" not in log
    assert_log_keeps_secrets(
        log, [*secrets_of(tenant, BODY, "fault text"), EMAIL, PASSWORD, "12345678"]
    )


def _kill_connections(engine: Engine) -> None:
    """PostgreSQL: end every other session of the database; SQLite has no server to lose,
    so its outage is the full disk of ``test_disk_full``."""
    if engine.dialect.name != "postgresql":
        return
    with engine.connect() as conn:
        conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
        conn.commit()
