"""Error pages: a person who opens a wrong address sees a page in the portal's style.

The API, webhooks and operations endpoints keep their JSON errors; every other path (the
portal's) answers 403, 404, 405, a query string a page cannot use, and 500 with an HTML page
that says what happened and where to go.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from consentline.api import errors as api_errors
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


async def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, StarletteHTTPException)
    if not is_page(request):
        return await api_errors._http_error(request, error)
    return error_html(request, error.status_code)


async def _validation_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    if not is_page(request):
        return await api_errors._validation_error(request, error)
    fields = sorted({str(p["loc"][-1]) for p in error.errors() if p.get("loc")})
    named = ", ".join(fields) if fields else "a value"
    return error_html(request, 400, f"The page could not use {named}. Go back and try again.")


async def _server_error(request: Request, error: Exception) -> Response:
    log.error("unhandled error on %s", request.url.path, exc_info=error)
    if not is_page(request):
        return api_errors.error_response(500, "internal_error", "The server failed; retry.")
    return error_html(request, 500)


def install(app: FastAPI) -> None:
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _server_error)
