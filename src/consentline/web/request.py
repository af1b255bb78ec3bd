"""Where a request came from, and the unit of work it runs in (API and portal alike)."""

from __future__ import annotations

from fastapi import Request

from consentline.service.unit_of_work import UnitOfWork

READ_METHODS = frozenset({"GET", "HEAD"})


def request_source(request: Request) -> str:
    """Where a request came from, as the audit log records it: ``api 10.0.0.7``.
    The connection's own address: no proxy is trusted, so X-Forwarded-For is not read."""
    channel = "api" if request.url.path.startswith("/api/") else "portal"
    return f"{channel} {request.client.host}" if request.client else channel


def unit_of_work_for(request: Request) -> UnitOfWork:
    """A GET only reads: its unit of work takes a snapshot and never the write lock."""
    engine = request.app.state.engine
    return UnitOfWork(
        engine, read_only=request.method in READ_METHODS, source=request_source(request)
    )
