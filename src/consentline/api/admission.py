"""Back pressure: at most ``limit`` requests inside the application at once.

A request inside may hold a database connection while it waits for one of the server's
pool threads; letting in more requests than the threads can serve only lengthens every
queue, and past the connection pool it can stall them all. Extra requests wait here,
holding nothing, for up to ``queue_timeout`` seconds, then get 503 with ``Retry-After``.
Health checks and metrics skip the queue, so an overloaded server can still be watched;
so do static files and carriers' webhooks (see ``UNQUEUED_PREFIXES``).
"""

from __future__ import annotations

import json

import anyio
from starlette.types import ASGIApp, Receive, Scope, Send

UNQUEUED_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
# Static files touch no database. Carriers' webhooks take their own short transactions
# (never a connection across thread hops), and a carrier may not retry a refused one.
UNQUEUED_PREFIXES = ("/static/", "/api/static/", "/webhooks/")
RETRY_AFTER_SECONDS = 1


class AdmissionMiddleware:
    def __init__(self, app: ASGIApp, *, limit: int, queue_timeout: float) -> None:
        self.app = app
        self.limit = limit
        self.queue_timeout = queue_timeout
        self._slots: anyio.Semaphore | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or path in UNQUEUED_PATHS or path.startswith(UNQUEUED_PREFIXES):
            await self.app(scope, receive, send)
            return
        if self._slots is None:  # made inside the server's event loop
            self._slots = anyio.Semaphore(self.limit)
        admitted = False
        with anyio.move_on_after(self.queue_timeout):
            await self._slots.acquire()
            admitted = True
        if not admitted:
            await self._overloaded(send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            self._slots.release()

    async def _overloaded(self, send: Send) -> None:
        body = json.dumps(
            {
                "error": {
                    "code": "overloaded",
                    "message": "The server is busy; try again in a moment.",
                }
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 503,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", b"%d" % len(body)),
                    (b"retry-after", b"%d" % RETRY_AFTER_SECONDS),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
