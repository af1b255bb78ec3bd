"""Reports > Reports Menu > SMS Opt-in > SMS Opt-In Report, and its downloads.

The page reads the same service functions as ``GET /api/v1/reports/sms-optin``; the filters
are a GET form, so every view of the report is a link that can be shared or bookmarked.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request, Response
from fastapi.responses import FileResponse, StreamingResponse
from pydantic import Field
from sqlalchemy import Engine
from starlette.background import BackgroundTask

from consentline.domain import labels
from consentline.domain.consent import State
from consentline.domain.errors import InvalidInput, NotFound
from consentline.domain.messages import Channel
from consentline.domain.settings import Mode
from consentline.portal import nav, query
from consentline.portal.web import Page, PageDep, portal_router
from consentline.reports import chart, evidence, exports, sms_optin, timeline
from consentline.reports.sms_optin import ReportFilter
from consentline.service import audit
from consentline.service.access import MAX_ID, Privilege
from consentline.service.report_scope import Scope, scope_for
from consentline.store import orgs as org_store
from consentline.store.db import reading
from consentline.web.request import request_source

router = portal_router()
PAGE_SIZE = 25
STATES = {
    Mode.CONSENT: ["pending", "opted_in", "opted_out"],
    Mode.DISCLAIMER: ["disclaimer_sent", "opted_out"],
}


nav.register(
    nav.NavItem("Reports", "/reports", 40, nav.needs(Privilege.REPORTS), section="/reports")
)


class ReportParams(query.PageQuery):
    mode: Mode = Field(Mode.CONSENT, title="Mode")
    start: date | None = Field(None, alias="from", title="From")
    end: date | None = Field(None, alias="to", title="To")
    org: int | None = Field(None, ge=1, le=MAX_ID, title="Organization")
    state: State | None = Field(None, title="State")
    employee: str = Field("", max_length=200, pattern=r"^[^\x00]*$", title="Employee")
    page: int = Field(1, ge=1, le=1_000_000, title="Page")


class EvidenceParams(query.PageQuery):
    line: str = Field("", max_length=40, title="Line")
    contact: str = Field("", max_length=40, title="Contact")
    channel: Channel = Field(Channel.SMS, title="Channel")


def _filters(request: Request, root_id: int) -> tuple[ReportFilter, int, dict[str, str], list[str]]:
    params, problems = query.read(request, ReportParams)
    if params.start and params.end and params.start > params.end:
        problems.append("From comes after To; the dates are not used.")
        params = params.model_copy(update={"start": None, "end": None})
    if params.state is not None and params.state.value not in STATES[params.mode]:
        name = labels.state(params.state.value)
        problems.append(f"State: {name} is not a state of this mode; not used.")
        params = params.model_copy(update={"state": None})
    report = ReportFilter(
        mode=params.mode,
        start=params.start,
        end=params.end,
        org_id=params.org or root_id,
        state=params.state,
        employee=params.employee or None,
    )
    kept = {
        key: str(value)
        for key, value in params.model_dump(by_alias=True, mode="json").items()
        if key != "page" and value not in (None, "")
    }
    if kept.get("mode") == Mode.CONSENT.value:
        kept.pop("mode")
    return report, params.page, kept, problems


@router.get("/reports")
def reports_menu(page: PageDep) -> Response:
    page.principal.require(Privilege.REPORTS)
    return page.render("reports/index.html")


@router.get("/reports/sms-optin")
def sms_optin_report(request: Request, page: PageDep) -> Response:
    root = page.root
    report, number, kept, problems = _filters(request, root.id)
    conn = page.uow.connection
    try:
        scope = scope_for(conn, page.principal, report.org_id)
    except NotFound:
        problems.append("Organization: not one you can see; showing all.")
        report = replace(report, org_id=root.id)
        kept.pop("org", None)
        scope = scope_for(conn, page.principal, report.org_id)
    result = sms_optin.page(conn, scope, report, number, PAGE_SIZE)
    series = timeline.timeline(conn, scope, report, page.now.date())
    mode_title = "With Consent" if report.mode is Mode.CONSENT else "With Disclaimer"
    names = ", ".join(f"{series.name(key)}: {n}" for key, n in series.totals.items())
    svg = chart.render_svg(series, f"Consent records per {series.unit} of last change ({names})")
    pages = max(1, -(-result["total"] // PAGE_SIZE))

    def link(**change: Any) -> str:
        """This view's URL with some parameters changed (None or "" drops one)."""
        params = dict(kept)
        for key, value in change.items():
            if value is None or value == "":
                params.pop(key, None)
            else:
                params[key] = str(value)
        return "?" + urlencode(params)

    employees = sorted({line.employee_name for line in org_store.list_lines(conn, root.id)})
    return page.render(
        "reports/sms-optin.html",
        result=result,
        report=report,
        mode_title=mode_title,
        kept=kept,
        chart_svg=svg,
        series=series,
        pages=pages,
        link=link,
        states=STATES[report.mode],
        employees=employees,
        orgs=[item for item in page.tree if item.org.root_id == root.id],
        problems=problems,
        download_csv="/reports/sms-optin/download.csv" + link(page=""),
        download_xlsx="/reports/sms-optin/download.xlsx" + link(page=""),
        evidence_url=_evidence_url,
    )


def _evidence_url(row: dict[str, Any]) -> str:
    params = {"line": row["line"], "contact": row["contact"], "channel": row["channel"]}
    return "/reports/consent-evidence?" + urlencode(params)


def _audit_export(page: Page, scope: Scope, report: ReportFilter, export_format: str) -> None:
    audit.record_apart(
        page.request.app.state.engine,
        request_source(page.request),
        page.principal,
        "report.exported",
        "report",
        "sms-optin",
        report.described(export_format),
        at=page.now,
        org_id=scope.root_id,
    )


def _stream_csv(engine: Engine, scope: Scope, report: ReportFilter) -> Iterator[bytes]:
    with reading(engine) as conn:
        yield from exports.csv_chunks(sms_optin.stream(conn, scope, report))


@router.get("/reports/sms-optin/download.csv")
def download_csv(request: Request, page: PageDep) -> Response:
    report, _, _, _ = _filters(request, page.root.id)
    scope = scope_for(page.uow.connection, page.principal, report.org_id)
    _audit_export(page, scope, report, "csv")
    return StreamingResponse(
        _stream_csv(request.app.state.engine, scope, report),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="sms-optin-{report.mode}.csv"'},
    )


@router.get("/reports/sms-optin/download.xlsx")
def download_xlsx(request: Request, page: PageDep) -> Response:
    report, _, _, _ = _filters(request, page.root.id)
    scope = scope_for(page.uow.connection, page.principal, report.org_id)
    _audit_export(page, scope, report, "xlsx")
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False)  # noqa: SIM115
    handle.close()
    path = Path(handle.name)
    with reading(request.app.state.engine) as conn:
        rows = sms_optin.stream(conn, scope, report)
        exports.write_xlsx(rows, path, f"SMS Opt-In ({report.mode})")
    return FileResponse(
        path,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        filename=f"sms-optin-{report.mode}.xlsx",
        background=BackgroundTask(path.unlink, missing_ok=True),
    )


@router.get("/reports/consent-evidence")
def consent_evidence(request: Request, page: PageDep) -> Response:
    """The printable one-page proof of one conversation's consent."""
    params, problems = query.read(request, EvidenceParams)
    if problems or not (params.line and params.contact):
        raise InvalidInput(
            " ".join(problems) or "Name a line and a contact: open the proof from the report."
        )
    proof = evidence.gather(
        page.uow.connection,
        page.principal,
        params.line,
        params.contact,
        params.channel,
        page.config.default_region,
    )
    return evidence.html_response(proof)
