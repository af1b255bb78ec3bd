"""The admin audit log of an organization: JSON pages, or every record as CSV."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse
from sqlalchemy import Engine

from consentline.api.deps import PrincipalDep, RequireSetupOrReports, UowDep
from consentline.api.errors import ERROR_RESPONSES
from consentline.api.schemas import AuditLogPage, OrgIdPath
from consentline.service import audit
from consentline.service.audit import AuditQuery
from consentline.store.audit import AuditFilter
from consentline.store.db import reading

router = APIRouter(prefix="/api/v1/orgs", tags=["audit log"], responses=ERROR_RESPONSES)

AUDIT_CONTENT: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "JSON {items, total, page, page_size}, newest first; or all as CSV.",
        "model": AuditLogPage,
        "content": {"text/csv": {"schema": {"type": "string"}}},
    }
}


def _stream_csv(engine: Engine, where: AuditFilter) -> Iterator[bytes]:
    # Its own connection: the request's is given back before the response streams.
    with reading(engine) as conn:
        for line in audit.csv_lines(conn, where):
            yield line.encode()


@router.get(
    "/{org_id}/audit-log",
    response_model=None,
    responses=AUDIT_CONTENT,
    dependencies=[RequireSetupOrReports],
)
def audit_log(
    org_id: OrgIdPath,
    request: Request,
    uow: UowDep,
    principal: PrincipalDep,
    action: Annotated[
        str | None, Query(max_length=100, description="An action, or its prefix: api_key.")
    ] = None,
    actor: Annotated[str | None, Query(max_length=400, description="Part of the actor.")] = None,
    start: Annotated[date | None, Query(alias="from", description="First day (UTC).")] = None,
    end: Annotated[date | None, Query(alias="to", description="Last day (UTC).")] = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=audit.MAX_PAGE_SIZE)] = 50,
    format: Annotated[Literal["json", "csv"], Query()] = "json",
) -> Any:
    """Who did what, to which thing, when and from where (Setup or Reports privilege).
    A sub-organization shows the records about itself and the organizations below it."""
    query = AuditQuery(action, actor, start, end)
    if format == "json":
        found = audit.audit_page(uow, principal, org_id, query, page, page_size)
        return AuditLogPage.model_validate(found, from_attributes=True)
    where = audit.audit_filter(uow, principal, org_id, query)
    return StreamingResponse(
        _stream_csv(request.app.state.engine, where),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="audit-log-{org_id}.csv"'},
    )
