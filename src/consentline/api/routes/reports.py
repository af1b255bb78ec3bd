"""The SMS Opt-In Report and consent evidence; exports stream from their own connection."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, StreamingResponse
from sqlalchemy import Engine
from starlette.background import BackgroundTask

from consentline.api.deps import (
    ConfigDep,
    NowDep,
    PrincipalDep,
    RequireReports,
    UowDep,
    request_source,
)
from consentline.api.errors import ERROR_RESPONSES
from consentline.api.report_schemas import ConsentEvidencePublic, RevocationPage, SmsOptinPage
from consentline.api.schemas import ChannelName
from consentline.domain.consent import State
from consentline.domain.messages import Channel
from consentline.domain.settings import Mode
from consentline.reports import evidence, exports, revocations, sms_optin
from consentline.reports.revocations import RevocationFilter
from consentline.reports.sms_optin import ReportFilter
from consentline.service import audit
from consentline.service.access import MAX_ID as MAX_RECORD_ID
from consentline.service.report_scope import Scope, scope_for
from consentline.store.db import reading

router = APIRouter(prefix="/api/v1/reports", tags=["reports"], responses=ERROR_RESPONSES)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _stream_csv(engine: Engine, scope: Scope, report: ReportFilter) -> Iterator[bytes]:
    with reading(engine) as conn:
        yield from exports.csv_chunks(sms_optin.stream(conn, scope, report))


def _xlsx_file(engine: Engine, scope: Scope, report: ReportFilter) -> Path:
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False)  # noqa: SIM115
    handle.close()
    path = Path(handle.name)
    with reading(engine) as conn:
        title = f"SMS Opt-In ({report.mode.value})"
        exports.write_xlsx(sms_optin.stream(conn, scope, report), path, title)
    return path


REPORT_CONTENT: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "JSON {rows, total, page, page_size}; or the whole report as CSV/XLSX.",
        "model": SmsOptinPage,
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            XLSX: {"schema": {"type": "string", "format": "binary"}},
        },
    }
}
EVIDENCE_CONTENT: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The proof as JSON, or as a printable HTML page.",
        "model": ConsentEvidencePublic,
        "content": {"text/html": {"schema": {"type": "string"}}},
    }
}


@router.get(
    "/sms-optin", response_model=None, responses=REPORT_CONTENT, dependencies=[RequireReports]
)
def sms_optin_report(
    request: Request,
    uow: UowDep,
    principal: PrincipalDep,
    mode: Annotated[Mode, Query(description="With Consent or With Disclaimer.")] = Mode.CONSENT,
    start: Annotated[date | None, Query(alias="from", description="First day (UTC).")] = None,
    end: Annotated[date | None, Query(alias="to", description="Last day (UTC).")] = None,
    org: Annotated[
        int | None, Query(ge=1, le=MAX_RECORD_ID, description="An organization and its children.")
    ] = None,
    state: Annotated[State | None, Query()] = None,
    employee: Annotated[str | None, Query(max_length=200)] = None,
    page: Annotated[int, Query(ge=1, le=sms_optin.MAX_PAGE)] = 1,
    page_size: Annotated[int, Query(ge=1, le=sms_optin.MAX_PAGE_SIZE)] = 50,
    format: Annotated[Literal["json", "csv", "xlsx"], Query()] = "json",
) -> Any:
    """Consent records with their evidence; ``format=csv|xlsx`` downloads every row."""
    report = ReportFilter(mode, start, end, org, state, employee)
    scope = scope_for(uow.connection, principal, org)
    if format == "json":
        return sms_optin.page(uow.connection, scope, report, page, page_size)
    engine: Engine = request.app.state.engine
    name = f"sms-optin-{mode.value}"
    audit.record_apart(
        engine,
        request_source(request),
        principal,
        "report.exported",
        "report",
        "sms-optin",
        report.described(format),
        at=request.app.state.clock(),
        org_id=scope.root_id,
    )
    if format == "csv":
        return StreamingResponse(
            _stream_csv(engine, scope, report),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    path = _xlsx_file(engine, scope, report)
    return FileResponse(
        path,
        media_type=XLSX,
        filename=f"{name}.xlsx",
        background=BackgroundTask(path.unlink, missing_ok=True),
    )


@router.get(
    "/consent-evidence",
    response_model=None,
    responses=EVIDENCE_CONTENT,
    dependencies=[RequireReports],
)
def consent_evidence(
    uow: UowDep,
    principal: PrincipalDep,
    config: ConfigDep,
    line: Annotated[str, Query(description="The line's number, or its id.")],
    contact: Annotated[str, Query(description="The contact's number.")],
    channel: Annotated[ChannelName, Query()] = "sms",
    format: Annotated[Literal["json", "html"], Query()] = "json",
) -> Any:
    """Everything that proves a consent decision: history, request text, deciding message."""
    proof = evidence.gather(
        uow.connection, principal, line, contact, Channel(channel), config.default_region
    )
    if format == "html":
        return evidence.html_response(proof)
    return proof


REVOCATION_CONTENT: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "JSON {rows, summary, total, page, page_size}; or every row as CSV.",
        "model": RevocationPage,
        "content": {"text/csv": {"schema": {"type": "string"}}},
    }
}


def _stream_revocations(engine: Engine, scope: Scope, report: RevocationFilter) -> Iterator[bytes]:
    with reading(engine) as conn:
        yield from exports.csv_chunks(revocations.stream(conn, scope, report), revocations.COLUMNS)


@router.get(
    "/revocations",
    response_model=None,
    responses=REVOCATION_CONTENT,
    dependencies=[RequireReports],
)
def revocation_report(
    request: Request,
    uow: UowDep,
    principal: PrincipalDep,
    now: NowDep,
    start: Annotated[date | None, Query(alias="from", description="First day (UTC).")] = None,
    end: Annotated[date | None, Query(alias="to", description="Last day (UTC).")] = None,
    org: Annotated[
        int | None, Query(ge=1, le=MAX_RECORD_ID, description="An organization and its children.")
    ] = None,
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[int, Query(ge=1, le=sms_optin.MAX_PAGE_SIZE)] = 50,
    format: Annotated[Literal["json", "csv"], Query()] = "json",
) -> Any:
    """Every opt-out (keyword, carrier, staff, import) with its confirmation latency, its
    10-business-day deadline and the messages that reached the contact after it."""
    report = RevocationFilter(start, end)
    scope = scope_for(uow.connection, principal, org)
    if format == "json":
        return revocations.page(uow.connection, scope, report, page, page_size, now)
    return StreamingResponse(
        _stream_revocations(request.app.state.engine, scope, report),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="revocations.csv"'},
    )
