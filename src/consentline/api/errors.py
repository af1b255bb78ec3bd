"""Every error answers ``{"error": {"code", "message"}}``; a domain error takes the status
``web/errors.py`` maps it to (one table, shared with the portal)."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from consentline.domain import errors
from consentline.store.failures import (
    DATABASE_ERRORS,
    conflicting_write,
    database_unavailable,
    value_not_storable,
)
from consentline.web.errors import CONFLICT, RETRY_AFTER_SECONDS, UNAVAILABLE, status_of

log = logging.getLogger(__name__)


class ErrorBody(BaseModel):
    code: str
    message: str


class ErrorPublic(BaseModel):
    error: ErrorBody


def error_response(status: int, code: str, message: str) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    if status == 503:
        headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    return JSONResponse(
        {"error": {"code": code, "message": message}}, status_code=status, headers=headers
    )


def unavailable_response() -> JSONResponse:
    return error_response(503, "database_unavailable", UNAVAILABLE)


async def _domain_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, errors.DomainError)
    return error_response(status_of(error), error.code, error.message)


async def _validation_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    problems = error.errors()
    if any(p.get("type") == "json_invalid" for p in problems):
        return error_response(400, "bad_json", "The request body is not valid JSON.")
    parts = []
    for problem in problems[:5]:
        where = ".".join(str(p) for p in problem.get("loc", ()) if p != "body")
        parts.append(f"{where or 'body'}: {problem.get('msg', 'invalid')}")
    return error_response(422, "invalid_request", "; ".join(parts))


async def _http_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    code = {404: "not_found", 405: "method_not_allowed"}.get(error.status_code, "http_error")
    return error_response(error.status_code, code, str(error.detail))


async def _database_error(_request: Request, error: Exception) -> JSONResponse:
    """A database that is down, frozen or full is a 503 the client may retry; a value the
    database refuses is bad input that validation missed. Anything else is our bug."""
    if database_unavailable(error):
        log.warning("database unavailable: %s", _kind(error))
        return unavailable_response()
    if value_not_storable(error):
        log.warning("value refused by the database: %s", _kind(error))
        return error_response(422, "invalid_input", "A value in the request cannot be stored.")
    if conflicting_write(error):
        log.warning("write refused by a constraint: %s", _kind(error))
        return error_response(409, "conflict", CONFLICT)
    raise error


async def _internal_error(_request: Request, _error: Exception) -> JSONResponse:
    """Our bug: the JSON error body with no details (the server logs the traceback, with
    values scrubbed, see ``observability``)."""
    return error_response(500, "internal_error", "Something went wrong on our side.")


def _kind(error: Exception) -> str:
    """The exception's class and its cause's (never its text: it may quote values)."""
    cause = getattr(error, "orig", None) or error.__cause__
    return type(error).__name__ + (f" ({type(cause).__name__})" if cause else "")


def install(app: FastAPI) -> None:
    app.add_exception_handler(Exception, _internal_error)
    for database_error in DATABASE_ERRORS:
        app.add_exception_handler(database_error, _database_error)
    app.add_exception_handler(errors.DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)


ERROR_RESPONSES: dict[int | str, dict[str, object]] = {
    status: {"model": ErrorPublic} for status in (400, 401, 403, 404, 409, 422, 503)
}
