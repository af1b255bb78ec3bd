"""Liveness, readiness and metrics for whoever runs ConsentLine."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy import Engine, text

from consentline.api.errors import error_response
from consentline.observability import metrics_exposition
from consentline.store import outbox as outbox_store
from consentline.store.db import migrations_current, reading
from consentline.store.failures import DATABASE_ERRORS
from consentline.store.health import probe_write

router = APIRouter(tags=["operations"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """Alive (does no database work)."""
    return {"status": "ok"}


@router.get("/readyz", responses={503: {"description": "Not ready"}})
def readyz(request: Request) -> JSONResponse:
    """Ready: the database answers, its schema is at the newest migration, and a write can
    be committed (not so while its disk is full)."""
    engine: Engine = request.app.state.engine
    try:
        with reading(engine) as conn:  # a probe must never wait for the write lock
            conn.execute(text("SELECT 1"))
            current = migrations_current(conn)
    except Exception:  # any database failure means not ready
        return error_response(503, "database_unreachable", "The database does not answer.")
    if not current:
        return error_response(503, "migrations_pending", "The database schema is not current.")
    try:
        probe_write(engine)
    except Exception:  # a full disk, a read-only database, an outage since the read
        return error_response(
            503, "writes_failing", "The database cannot take writes now (is its disk full?)."
        )
    return JSONResponse({"status": "ready"})


@router.get("/metrics", response_class=Response)
def metrics(request: Request) -> Response:
    """Prometheus metrics, with the outbox's backlog read from the database."""
    body, content_type = metrics_exposition()
    return Response(body + _outbox_gauges(request), media_type=content_type)


def _outbox_gauges(request: Request) -> bytes:
    """How many items wait to be sent and how long the oldest has waited: the same for
    every server process (read from the database), absent while the database is down."""
    try:
        with reading(request.app.state.engine) as conn:
            pending = outbox_store.pending_count(conn)
            oldest = outbox_store.oldest_pending(conn)
    except DATABASE_ERRORS:
        return b""
    age = max(0.0, (request.app.state.clock() - oldest).total_seconds()) if oldest else 0.0
    return (
        "# HELP consentline_outbox_pending Outbox items waiting to be sent.\n"
        "# TYPE consentline_outbox_pending gauge\n"
        f"consentline_outbox_pending {pending}\n"
        "# HELP consentline_outbox_oldest_pending_age_seconds How long the oldest outbox item "
        "waiting to be sent has waited.\n"
        "# TYPE consentline_outbox_oldest_pending_age_seconds gauge\n"
        f"consentline_outbox_oldest_pending_age_seconds {age:.3f}\n"
    ).encode()
