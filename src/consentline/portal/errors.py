"""Error pages: a person who opens a wrong address sees a page in the portal's style.

The API, webhooks and operations endpoints keep their JSON errors (the handlers the API
installed are kept and asked for those paths); every other path (the portal's) answers 403,
404, 405, a query string a page cannot use, and 500 with an HTML page that says what
happened and where to go.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, cast

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from consentline.portal.web import templates

log = logging.getLogger(__name__)
NOT_PAGES = ("/api/", "/webhooks/", "/healthz", "/readyz", "/metrics", "/openapi.json")
TITLES = {
    400: "This address has a value the page cannot use",
    403: "You cannot open this page",
    404: "Page not found",
    405: "This page cannot be used that way",
    500: "Something went wrong",
}
MESSAGES = {
    403: "Your role does not include the privilege this page needs.",
    404: "There is no page at this address. It may have moved, or the link may be mistyped.",
    405: "This address takes a form, not a visit: go back and use the page's buttons.",
    500: "The server could not show this page. Nothing was changed; try again in a moment.",
}


def is_page(request: Request) -> bool:
    path = request.url.path
    return not any(path == p.rstrip("/") or path.startswith(p) for p in NOT_PAGES)


def error_html(request: Request, status: int, message: str | None = None) -> HTMLResponse:
    """The error page; usable outside the session middleware too (a 500 is caught there)."""
    context: dict[str, Any] = {
        "csrf_token": "",
        "flash": None,
        "path": request.url.path,
        "top_nav": [],
        "setup_nav": [],
        "status": status,
        "title": TITLES.get(status, TITLES[400]),
        "message": message or MESSAGES.get(status, ""),
    }
    return templates.TemplateResponse(request, "error_status.html", context, status_code=status)


Handler = Callable[[Request, Exception], Awaitable[Response]]


def _pages_or(api_handler: Handler | None, page: Handler) -> Handler:
    async def handle(request: Request, error: Exception) -> Response:
        if is_page(request) or api_handler is None:
            return await page(request, error)
        return await api_handler(request, error)

    return handle


async def _http_page(request: Request, error: Exception) -> Response:
    assert isinstance(error, StarletteHTTPException)
    return error_html(request, error.status_code)


async def _validation_page(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    fields = sorted({str(p["loc"][-1]) for p in error.errors() if p.get("loc")})
    named = ", ".join(fields) if fields else "a value"
    return error_html(request, 400, f"The page could not use {named}. Go back and try again.")


async def _server_error(request: Request, error: Exception) -> Response:
    log.error("unhandled error on %s", request.url.path, exc_info=error)
    if not is_page(request):
        return JSONResponse(
            {"error": {"code": "internal_error", "message": "The server failed; retry."}},
            status_code=500,
        )
    return error_html(request, 500)


def install(app: FastAPI) -> None:
    """After the API's own handlers (app.py installs those first)."""
    for kind, page in (
        (StarletteHTTPException, _http_page),
        (RequestValidationError, _validation_page),
    ):
        api_handler = cast("Handler | None", app.exception_handlers.get(kind))
        app.add_exception_handler(kind, _pages_or(api_handler, page))
    app.add_exception_handler(Exception, _server_error)
