"""Consent operations: staff decisions, four-eyes requests, import and export."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response, StreamingResponse
from sqlalchemy import Engine

from consentline.api.consent_schemas import (
    ConsentDecisionCreate,
    ConsentDecisionPublic,
    ConsentRequestPending,
    ConsentRequestPublic,
    DossierKeyPublic,
    ImportResultPublic,
)
from consentline.api.deps import ConfigDep, NowDep, PrincipalDep, UowDep, WakeOutbox
from consentline.api.errors import ERROR_RESPONSES
from consentline.api.schemas import OrgIdPath, RecordId
from consentline.domain.consent import State
from consentline.domain.messages import Channel
from consentline.domain.recorded import Method
from consentline.reports import dossier
from consentline.service import consent_import, staff_decisions
from consentline.service.access import Principal
from consentline.service.consent_export import ExportKind, check_export, export_lines
from consentline.store.db import reading

router = APIRouter(prefix="/api/v1/orgs", tags=["consents"], responses=ERROR_RESPONSES)

RequestIdPath = Annotated[RecordId, "the request's id"]


@router.post(
    "/{org_id}/consents",
    status_code=201,
    response_model=None,
    dependencies=[WakeOutbox],
    responses={
        201: {"model": ConsentDecisionPublic, "description": "The opt-out, applied."},
        202: {"model": ConsentRequestPending, "description": "The opt-in request, pending."},
    },
)
def record_decision(
    org_id: OrgIdPath,
    body: ConsentDecisionCreate,
    uow: UowDep,
    principal: PrincipalDep,
    now: NowDep,
    config: ConfigDep,
) -> JSONResponse:
    """A decision staff received outside the text channel (Setup). An opt-out takes effect
    at once; an opt-in is a request another person must approve."""
    decision = staff_decisions.StaffDecision(
        contact=body.contact,
        channel=Channel(body.channel),
        state=State(body.state),
        method=Method(body.method),
        note=body.note,
        line=body.line,
        evidence_url=body.evidence_url,
        notify_contact=body.notify_contact,
    )
    result = staff_decisions.record_decision(
        uow, principal, org_id, decision, now, config.default_region
    )
    return JSONResponse(result, status_code=202 if "request_id" in result else 201)


@router.get("/{org_id}/consent-requests")
def list_requests(
    org_id: OrgIdPath,
    uow: UowDep,
    principal: PrincipalDep,
    status: Annotated[Literal["pending", "approved", "rejected"] | None, Query()] = None,
) -> list[ConsentRequestPublic]:
    """Opt-in requests, newest first (Setup)."""
    rows = staff_decisions.list_requests(uow, principal, org_id, status)
    return [ConsentRequestPublic.model_validate(row) for row in rows]


@router.post("/{org_id}/consent-requests/{request_id}/approve", dependencies=[WakeOutbox])
def approve_request(
    org_id: OrgIdPath, request_id: RecordId, uow: UowDep, principal: PrincipalDep, now: NowDep
) -> ConsentRequestPublic:
    """Apply an opt-in request; its requester may not (403, code ``four_eyes``)."""
    result = staff_decisions.approve(uow, principal, org_id, request_id, now)
    return ConsentRequestPublic.model_validate(result)


@router.post("/{org_id}/consent-requests/{request_id}/reject")
def reject_request(
    org_id: OrgIdPath, request_id: RecordId, uow: UowDep, principal: PrincipalDep, now: NowDep
) -> ConsentRequestPublic:
    """End an opt-in request without applying it."""
    result = staff_decisions.reject(uow, principal, org_id, request_id, now)
    return ConsentRequestPublic.model_validate(result)


CSV_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"text/csv": {"schema": {"type": "string"}}},
        "description": "Columns line, contact, channel, state, decided_at, source_system, "
        "evidence (see the README).",
    }
}


@router.post("/{org_id}/consents/import", openapi_extra=CSV_BODY, dependencies=[WakeOutbox])
async def import_consents(
    org_id: OrgIdPath,
    request: Request,
    principal: PrincipalDep,
    now: NowDep,
    config: ConfigDep,
    dry_run: Annotated[bool, Query(description="Check and count; change nothing.")] = False,
    allow_opt_in: Annotated[
        bool, Query(description="Let rows opt in contacts who opted out.")
    ] = False,
) -> ImportResultPublic:
    """Import consent decisions from CSV (Setup); 422 when the file cannot be read."""
    data = await request.body()
    engine: Engine = request.app.state.engine
    summary = await run_in_threadpool(
        consent_import.import_consents,
        engine,
        principal,
        org_id,
        data,
        now,
        dry_run=dry_run,
        allow_opt_in=allow_opt_in,
        region=config.default_region,
    )
    return ImportResultPublic.model_validate(summary.as_json())


def _stream(engine: Engine, principal: Principal, org_id: int, kind: ExportKind) -> Iterator[str]:
    with reading(engine) as conn:
        yield from export_lines(conn, principal, org_id, kind)


EXPORT_CONTENT: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The consent CSV.",
        "content": {"text/csv": {"schema": {"type": "string"}}},
    }
}


@router.get("/{org_id}/consents/export", response_class=StreamingResponse, responses=EXPORT_CONTENT)
def export_consents(
    org_id: OrgIdPath,
    request: Request,
    uow: UowDep,
    principal: PrincipalDep,
    kind: Annotated[ExportKind, Query(description="ledger or suppression")] = ExportKind.LEDGER,
) -> StreamingResponse:
    """The consent ledger (opted in and out) or the suppression list (opted out) as CSV."""
    check_export(uow.connection, principal, org_id)
    engine: Engine = request.app.state.engine
    return StreamingResponse(
        _stream(engine, principal, org_id, kind),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="consents-{kind.value}.csv"'},
    )


ZIP_CONTENT: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The signed dossier (ZIP: dossier.html, manifest.json, manifest.sig).",
        "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
    }
}


@router.get("/{org_id}/consents/dossier", response_class=Response, responses=ZIP_CONTENT)
def consent_dossier(
    org_id: OrgIdPath,
    request: Request,
    principal: PrincipalDep,
    now: NowDep,
    config: ConfigDep,
    contact: Annotated[str, Query(max_length=40, description="The contact's number.")],
    line: Annotated[
        str | None, Query(max_length=40, description="One line; every line when absent.")
    ] = None,
) -> Response:
    """Every consent decision about one contact with its chain proofs, signed (Reports)."""
    engine: Engine = request.app.state.engine
    name, data = dossier.build(
        engine, principal, org_id, contact, line or None, now, config.default_region
    )
    return Response(
        data,
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/{org_id}/dossier-key")
def dossier_key(
    org_id: OrgIdPath, request: Request, principal: PrincipalDep, now: NowDep
) -> DossierKeyPublic:
    """The organization's public key, to verify its dossiers with."""
    public, fingerprint = dossier.public_key(request.app.state.engine, principal, org_id, now)
    return DossierKeyPublic(public_key=public, key_id=fingerprint)
