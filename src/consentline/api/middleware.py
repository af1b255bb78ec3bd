"""One ASGI middleware for every request: request id, body size limit, security headers,
the access log line and the latency metric.

Every answer but static files carries ``Cache-Control: no-store`` (API answers and signed-in
pages hold personal data a shared cache or the browser's history must not keep), and in
production ``Strict-Transport-Security``."""

from __future__ import annotations

import json
import logging
import re
import time
import uuid

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from consentline.log_redaction import mask_phone_numbers, mask_secret_paths
from consentline.observability import REQUEST_SECONDS, request_id

access_log = logging.getLogger("consentline.access")

_INCOMING_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}
HSTS = "max-age=31536000; includeSubDomains"
# Static files (the portal's assets, the API documentation's) may be cached.
CACHEABLE_PREFIXES = ("/static/", "/api/static/")


class BodyTooLarge(Exception):
    pass


# File uploads (consent imports) may be larger than any JSON request.
UPLOAD_PATHS = re.compile(r"^/api/v1/orgs/[^/]+/consents/import$")


class RequestContextMiddleware:
    def __init__(
        self, app: ASGIApp, *, max_body_bytes: int, max_upload_bytes: int = 0, hsts: bool = False
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_upload_bytes = max(max_upload_bytes, max_body_bytes)
        self.headers = dict(SECURITY_HEADERS)
        if hsts:
            self.headers["Strict-Transport-Security"] = HSTS

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        incoming = headers.get(b"x-request-id", b"").decode("latin-1")
        current_id = incoming if _INCOMING_ID.match(incoming) else uuid.uuid4().hex
        token = request_id.set(current_id)
        started = time.perf_counter()
        status = 500
        response_started = False
        cacheable = scope["path"].startswith(CACHEABLE_PREFIXES)

        async def send_with_headers(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status, response_started = message["status"], True
                response_headers = MutableHeaders(scope=message)
                response_headers["X-Request-ID"] = current_id
                for name, value in self.headers.items():
                    if name not in response_headers:
                        response_headers[name] = value
                if not cacheable and "Cache-Control" not in response_headers:
                    response_headers["Cache-Control"] = "no-store"
            await send(message)

        received = 0
        limit = self.max_upload_bytes if UPLOAD_PATHS.match(scope["path"]) else self.max_body_bytes

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge
            return message

        try:
            declared = headers.get(b"content-length")
            if declared is not None and declared.isdigit() and int(declared) > limit:
                raise BodyTooLarge
            await self.app(scope, counted_receive, send_with_headers)
        except BodyTooLarge:
            if response_started:
                raise
            await self._too_large(send_with_headers, limit)
        finally:
            elapsed = time.perf_counter() - started
            route = getattr(scope.get("route"), "path", "unmatched")
            REQUEST_SECONDS.labels(route, scope["method"], f"{status // 100}xx").observe(elapsed)
            path = scope["path"] + (
                "?" + scope["query_string"].decode("latin-1") if scope.get("query_string") else ""
            )
            access_log.info(
                "%s %s %s",
                scope["method"],
                mask_phone_numbers(mask_secret_paths(path)),
                status,
                extra={"status": status, "duration_ms": round(elapsed * 1000, 2)},
            )
            request_id.reset(token)

    async def _too_large(self, send: Send, limit: int) -> None:
        body = json.dumps(
            {
                "error": {
                    "code": "body_too_large",
                    "message": f"The request body is larger than {limit} bytes.",
                }
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", b"%d" % len(body)),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
