"""Reports > Revocation clock: every opt-out, its confirmation latency and deadline, the
messages after it, a summary and a chart. Reads what ``GET /api/v1/reports/revocations``
reads; the filters are a GET form, so a view is a link."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import Request, Response
from fastapi.responses import StreamingResponse

from consentline.domain.errors import InvalidInput
from consentline.portal.web import PageDep, portal_router
from consentline.reports import exports, revocation_chart, revocations
from consentline.reports.revocations import RevocationFilter
from consentline.service.access import Privilege
from consentline.service.report_scope import scope_for
from consentline.store.db import reading

router = portal_router()
PATH = "/reports/revocations"
PAGE_SIZE = 25
SOURCE_LABELS = {"keyword": "Keyword", "carrier": "Carrier", "staff": "Staff", "import": "Import"}


def _day(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{name} must be a date like 2026-01-31.") from None


def _filters(request: Request, root_id: int) -> tuple[RevocationFilter, int, int, dict[str, str]]:
    query = request.query_params
    try:
        org_id = int(query["org"]) if query.get("org") else root_id
        number = max(1, int(query.get("page") or 1))
    except ValueError:
        raise InvalidInput("The report's filters are not valid.") from None
    report = RevocationFilter(_day(query.get("from"), "From"), _day(query.get("to"), "To"))
    kept = {key: value for key in ("from", "to", "org") if (value := query.get(key))}
    return report, org_id, number, kept


@router.get(PATH)
def revocation_report(request: Request, page: PageDep) -> Response:
    page.principal.require(Privilege.REPORTS)
    report, org_id, number, kept = _filters(request, page.root.id)
    conn = page.uow.connection
    scope = scope_for(conn, page.principal, org_id)
    every = revocations.rows(conn, scope, report)
    summary = revocations.summary(every, page.now)
    chosen = every[(number - 1) * PAGE_SIZE : number * PAGE_SIZE]
    pages = max(1, -(-len(every) // PAGE_SIZE))
    svg = revocation_chart.render_svg(
        revocation_chart.bucket_counts(every), "Opt-out confirmations by how long they took"
    )

    def link(**change: Any) -> str:
        params = dict(kept)
        for key, value in change.items():
            if value is None or value == "":
                params.pop(key, None)
            else:
                params[key] = str(value)
        return "?" + urlencode(params)

    return page.render(
        "reports/revocations.html",
        rows=chosen,
        total=len(every),
        number=number,
        pages=pages,
        summary=summary,
        chart_svg=svg,
        kept=kept,
        link=link,
        org_id=org_id,
        orgs=[item for item in page.tree if item.org.root_id == page.root.id],
        source_labels=SOURCE_LABELS,
        limit=revocations.CONFIRMATION_LIMIT_SECONDS,
        download_csv=PATH + "/download.csv" + link(page=""),
    )


@router.get(PATH + "/download.csv")
def download_csv(request: Request, page: PageDep) -> Response:
    report, org_id, _, _ = _filters(request, page.root.id)
    scope = scope_for(page.uow.connection, page.principal, org_id)
    engine = request.app.state.engine

    def chunks() -> Any:
        with reading(engine) as conn:
            yield from exports.csv_chunks(
                revocations.stream(conn, scope, report), revocations.COLUMNS
            )

    return StreamingResponse(
        chunks(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="revocations.csv"'},
    )
