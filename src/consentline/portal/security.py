"""The Content-Security-Policy of portal pages."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Scripts and styles come only from /static (vendored htmx and our own files): no inline code.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "object-src 'none'"
)
# Only the portal's own policy: the headers every answer carries (nosniff, frame, referrer,
# opener) are set once for all routes by api.middleware.RequestContextMiddleware.
HEADERS = ((b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),)
# The JSON API, its documentation pages (which load their own assets) and webhooks are not
# portal pages.
NOT_PORTAL = ("/api/", "/docs", "/redoc", "/openapi.json", "/webhooks/", "/metrics", "/healthz")


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or str(scope.get("path", "")).startswith(NOT_PORTAL):
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(name, value) for name, value in HEADERS if name not in present]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)
