"""Setup > Consents: record an opt-out received outside the text channel, request an opt-in
(four eyes), approve or reject requests, import and export the consent CSV; and the signed
dossier of a conversation's contact."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import File, Form, Response, UploadFile
from fastapi.responses import StreamingResponse

from consentline.domain.consent import State
from consentline.domain.errors import DomainError
from consentline.domain.messages import Channel
from consentline.domain.recorded import Method
from consentline.portal import nav
from consentline.portal.lines import lines_of
from consentline.portal.web import Page, PageDep, portal_router
from consentline.reports import dossier
from consentline.service import consent_import, staff_decisions
from consentline.service.access import Privilege
from consentline.service.consent_export import ExportKind, check_export, export_lines
from consentline.store.db import reading
from consentline.web.errors import status_of

router = portal_router()
PATH = "/setup/consents"
METHODS = (
    (Method.PHONE_CALL.value, "Phone call"),
    (Method.BRANCH.value, "In a branch"),
    (Method.EMAIL.value, "Email"),
    (Method.LETTER.value, "Letter"),
    (Method.WEB_FORM.value, "Web form"),
)

nav.register(
    nav.NavItem(
        "Consents",
        PATH,
        50,
        visible=lambda p: p.is_operator or Privilege.SETUP.value in p.privileges,
    ),
    nav.SETUP,
)


def _render(page: Page, status: int = 200, **data: object) -> Response:
    requests = staff_decisions.list_requests(page.uow, page.principal, page.picked.id)
    return page.render(
        "setup/consents.html",
        status,
        lines=lines_of(page),
        methods=METHODS,
        requests=requests,
        me=page.principal.name,
        **data,
    )


@router.get(PATH)
def consents_page(page: PageDep) -> Response:
    return _render(page)


@router.post(PATH)
def record(
    page: PageDep,
    state: Annotated[str, Form(max_length=20)],
    contact: Annotated[str, Form(max_length=40)],
    method: Annotated[str, Form(max_length=20)],
    note: Annotated[str, Form(max_length=2000)],
    line: Annotated[str, Form(max_length=40)] = "",
    channel: Annotated[str, Form(max_length=20)] = "sms",
    evidence_url: Annotated[str, Form(max_length=2000)] = "",
    notify_contact: Annotated[bool, Form()] = False,
) -> Response:
    try:
        decision = staff_decisions.StaffDecision(
            contact=contact,
            channel=Channel(channel),
            state=State(state),
            method=Method(method),
            note=note,
            line=line or None,
            evidence_url=evidence_url.strip() or None,
            notify_contact=notify_contact,
        )
        result = staff_decisions.record_decision(
            page.uow, page.principal, page.picked.id, decision, page.now, page.config.default_region
        )
    except ValueError:
        return _render(page, 422, error="Choose a state, a channel and a method from the lists.")
    except DomainError as error:
        return _render(page, status_of(error), error=error.message)
    if "request_id" in result:
        return page.redirect(
            PATH, f"Opt-in request {result['request_id']} is waiting for a second person."
        )
    page.wake_outbox()
    return page.redirect(PATH, f"Opt-out of {result['contact']} recorded; it applies now.")


@router.post(PATH + "/requests/{request_id}/{action}")
def decide_request(page: PageDep, request_id: int, action: str) -> Response:
    try:
        if action == "approve":
            staff_decisions.approve(page.uow, page.principal, page.picked.id, request_id, page.now)
            page.wake_outbox()
        elif action == "reject":
            staff_decisions.reject(page.uow, page.principal, page.picked.id, request_id, page.now)
        else:
            return _render(page, 404, error="Unknown action.")
    except DomainError as error:
        return _render(page, status_of(error), error=error.message)
    done = "approved: it applies now" if action == "approve" else "rejected"
    return page.redirect(PATH, f"Opt-in request {request_id} {done}.")


@router.post(PATH + "/import")
async def import_file(
    page: PageDep,
    file: Annotated[UploadFile, File()],
    dry_run: Annotated[bool, Form()] = False,
    allow_opt_in: Annotated[bool, Form()] = False,
) -> Response:
    limit = page.config.max_upload_bytes
    data = await file.read(limit + 1)
    if len(data) > limit:
        return _render(page, 413, error=f"The file is larger than {limit:,} bytes.")
    # The import runs its own transactions: end the page's (on SQLite it holds the lock).
    page.uow.commit()
    try:
        summary = consent_import.import_consents(
            page.request.app.state.engine,
            page.principal,
            page.picked.id,
            data,
            page.now,
            dry_run=dry_run,
            allow_opt_in=allow_opt_in,
            region=page.config.default_region,
        )
    except DomainError as error:
        return _render(page, status_of(error), error=error.message)
    page.wake_outbox()
    return _render(page, summary=summary.as_json(), file_name=file.filename)


@router.get(PATH + "/export")
def export_file(page: PageDep, kind: str = "ledger") -> Response:
    chosen = ExportKind(kind) if kind in {k.value for k in ExportKind} else ExportKind.LEDGER
    engine = page.request.app.state.engine
    principal, org_id = page.principal, page.picked.id
    check_export(page.uow.connection, principal, org_id)

    def stream() -> Iterator[str]:
        with reading(engine) as conn:
            yield from export_lines(conn, principal, org_id, chosen)

    return StreamingResponse(
        stream(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="consents-{chosen.value}.csv"'},
    )


@router.get("/conversations/dossier")
def conversation_dossier(page: PageDep, contact: str, line: str = "") -> Response:
    """The signed dossier of the contact, linked from the conversation page."""
    name, data = dossier.build(
        page.request.app.state.engine,
        page.principal,
        page.picked.id,
        contact,
        line or None,
        page.now,
        page.config.default_region,
    )
    return Response(
        data,
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
