"""Reports > Reports Menu > SMS Opt-in > SMS Opt-In Report, and its downloads.

The page reads the same service functions as ``GET /api/v1/reports/sms-optin``; the filters
are a GET form, so every view of the report is a link that can be shared or bookmarked.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request, Response
from fastapi.responses import FileResponse, StreamingResponse
from sqlalchemy import Engine
from starlette.background import BackgroundTask

from consentline.api.deps import request_source
from consentline.domain.consent import State
from consentline.domain.errors import InvalidInput
from consentline.domain.messages import Channel
from consentline.domain.settings import Mode
from consentline.portal import nav
from consentline.portal.web import Page, PageDep, portal_router
from consentline.reports import chart, evidence, exports, sms_optin, timeline
from consentline.reports.sms_optin import ReportFilter, Scope
from consentline.service import audit
from consentline.service.access import Principal, Privilege
from consentline.store import orgs as org_store
from consentline.store.db import reading

router = portal_router()
PAGE_SIZE = 25
STATES = {
    Mode.CONSENT: ["pending", "opted_in", "opted_out"],
    Mode.DISCLAIMER: ["disclaimer_sent", "opted_out"],
}
STATE_LABELS = {
    "pending": "Pending",
    "opted_in": "Opted in",
    "opted_out": "Opted out",
    "disclaimer_sent": "Disclaimer sent",
}


def may_report(principal: Principal) -> bool:
    return principal.is_operator or Privilege.REPORTS.value in principal.privileges


nav.register(nav.NavItem("Reports", "/reports", 40, may_report, section="/reports"))


def _day(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{name} must be a date like 2026-01-31.") from None


def _filters(request: Request, root_id: int) -> tuple[ReportFilter, int, dict[str, str]]:
    query = request.query_params
    try:
        mode = Mode(query.get("mode") or Mode.CONSENT.value)
        state = State(query["state"]) if query.get("state") else None
        org_id = int(query["org"]) if query.get("org") else root_id
        number = max(1, int(query.get("page") or 1))
    except ValueError:
        raise InvalidInput("The report's filters are not valid.") from None
    report = ReportFilter(
        mode=mode,
        start=_day(query.get("from"), "From"),
        end=_day(query.get("to"), "To"),
        org_id=org_id,
        state=state,
        employee=query.get("employee") or None,
    )
    kept = {
        key: value
        for key in ("mode", "from", "to", "org", "state", "employee")
        if (value := query.get(key))
    }
    return report, number, kept


@router.get("/reports")
def reports_menu(page: PageDep) -> Response:
    page.principal.require(Privilege.REPORTS)
    return page.render("reports/index.html")


@router.get("/reports/sms-optin")
def sms_optin_report(request: Request, page: PageDep) -> Response:
    root = page.root
    report, number, kept = _filters(request, root.id)
    conn = page.uow.connection
    scope = sms_optin.scope_for(conn, page.principal, report.org_id)
    result = sms_optin.page(conn, scope, report, number, PAGE_SIZE)
    series = timeline.timeline(conn, scope, report, page.now.date())
    mode_title = "With Consent" if report.mode is Mode.CONSENT else "With Disclaimer"
    svg = chart.render_svg(series, f"Opt-ins, opt-outs and pending requests per {series.unit}")
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
        state_labels=STATE_LABELS,
        employees=employees,
        orgs=[item for item in page.tree if item.org.root_id == root.id],
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
    report, _, _ = _filters(request, page.root.id)
    scope = sms_optin.scope_for(page.uow.connection, page.principal, report.org_id)
    _audit_export(page, scope, report, "csv")
    return StreamingResponse(
        _stream_csv(request.app.state.engine, scope, report),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="sms-optin-{report.mode}.csv"'},
    )


@router.get("/reports/sms-optin/download.xlsx")
def download_xlsx(request: Request, page: PageDep) -> Response:
    report, _, _ = _filters(request, page.root.id)
    scope = sms_optin.scope_for(page.uow.connection, page.principal, report.org_id)
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
    query = request.query_params
    proof = evidence.gather(
        page.uow.connection,
        page.principal,
        query.get("line") or "",
        query.get("contact") or "",
        Channel(query.get("channel") or "sms"),
        page.config.default_region,
    )
    return evidence.html_response(proof)
