"""A database that cannot be reached: every kind of route answers 503 with Retry-After at
once (the API and webhooks in JSON, the portal an HTML page), and /metrics still answers."""

from __future__ import annotations

import socket
import time

from fastapi.testclient import TestClient

from consentline.store.db import make_engine
from tests.integration.portal.support import Portal, PortalTenant


def _nothing_listens() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"postgresql+psycopg://postgres@127.0.0.1:{port}/gone"


def test_every_route_answers_503_while_the_database_is_unreachable(
    portal_app: TestClient, portal: Portal, tenant: PortalTenant
) -> None:
    assert portal.sign_in(tenant.admin).status_code == 303
    working = portal_app.app.state.engine  # type: ignore[attr-defined]
    dead = make_engine(_nothing_listens(), connect_timeout=1, statement_timeout=1)
    portal_app.app.state.engine = dead  # type: ignore[attr-defined]
    try:
        started = time.monotonic()
        page = portal.get("/setup/feature-settings")
        api = portal_app.get("/api/v1/orgs/1", headers={"Authorization": "Bearer cl_x"})
        form = {"From": "+15557770001", "To": "+15550001001", "Body": "hi", "MessageSid": "SM1"}
        webhook = portal_app.post("/webhooks/twilio", data=form)
        ready = portal_app.get("/readyz")
        metrics = portal_app.get("/metrics")
        seconds = time.monotonic() - started
    finally:
        portal_app.app.state.engine = working  # type: ignore[attr-defined]
        dead.dispose()

    assert page.status_code == 503
    assert page.headers["content-type"].startswith("text/html")
    assert "cannot reach its database" in page.text
    assert page.headers["Retry-After"]
    for answer in (api, webhook):
        assert answer.status_code == 503, answer.text
        assert answer.headers["Retry-After"]
        assert answer.json()["error"]["code"] == "database_unavailable"
    assert ready.status_code == 503
    assert metrics.status_code == 200
    assert "consentline_outbox_pending" not in metrics.text
    assert seconds < 10
    assert portal.get("/setup/feature-settings").status_code == 200  # back with the database
