"""Liveness, readiness and metrics for whoever runs ConsentLine."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy import Engine, text

from consentline.api.errors import error_response
from consentline.observability import metrics_exposition
from consentline.store.db import migrations_current, reading

router = APIRouter(tags=["operations"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """Alive (does no database work)."""
    return {"status": "ok"}


@router.get("/readyz", responses={503: {"description": "Not ready"}})
def readyz(request: Request) -> JSONResponse:
    """Ready: the database answers and its schema is at the newest migration."""
    engine: Engine = request.app.state.engine
    try:
        with reading(engine) as conn:  # a probe must never wait for the write lock
            conn.execute(text("SELECT 1"))
            current = migrations_current(conn)
    except Exception:  # any database failure means not ready
        return error_response(503, "database_unreachable", "The database does not answer.")
    if not current:
        return error_response(503, "migrations_pending", "The database schema is not current.")
    return JSONResponse({"status": "ready"})


@router.get("/metrics", response_class=Response)
def metrics() -> Response:
    """Prometheus metrics."""
    body, content_type = metrics_exposition()
    return Response(body, media_type=content_type)
