"""Audit log: every administrative action of the picked organization (Setup or Reports)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import Response
from fastapi.responses import StreamingResponse
from sqlalchemy import Engine

from consentline.domain.errors import InvalidInput
from consentline.portal import nav
from consentline.portal.history import actor as short_actor
from consentline.portal.web import Page, PageDep, portal_router
from consentline.service import audit
from consentline.service.access import Privilege
from consentline.service.audit import AuditQuery
from consentline.store.audit import AuditFilter
from consentline.store.db import reading

router = portal_router()
PATH = "/audit-log"
PAGE_SIZE = 50


nav.register(nav.NavItem("Audit log", PATH, 60, nav.needs(Privilege.SETUP, Privilege.REPORTS)))


def _day(value: str | None, label: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            f"{label} must be a date like 2026-01-31.", code="invalid_date"
        ) from None


def _query(page: Page) -> tuple[AuditQuery, dict[str, str]]:
    params = page.request.query_params
    form = {name: params.get(name, "").strip()[:400] for name in ("action", "actor", "from", "to")}
    query = AuditQuery(
        form["action"] or None,
        form["actor"] or None,
        _day(form["from"], "From"),
        _day(form["to"], "To"),
    )
    return query, form


def _change(document: dict[str, Any] | None) -> str:
    if not document:
        return ""
    return "\n".join(
        f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in document.items()
    )


@router.get(PATH)
def audit_log_page(page: PageDep) -> Response:
    try:
        query, form = _query(page)
    except InvalidInput as error:
        query, form = AuditQuery(), {"action": "", "actor": "", "from": "", "to": ""}
        message: str | None = error.message
    else:
        message = None
    number = page.request.query_params.get("page", "1")
    current = int(number) if number.isdigit() and 0 < int(number) < 1_000_000 else 1
    found = audit.audit_page(page.uow, page.principal, page.picked.id, query, current, PAGE_SIZE)
    rows = [
        {
            **item,
            "who": short_actor(item["actor"]),
            "before_text": _change(item["before"]),
            "after_text": _change(item["after"]),
        }
        for item in found.items
    ]
    filters = {name: value for name, value in form.items() if value}
    last = max(1, -(-found.total // PAGE_SIZE))
    return page.render(
        "audit-log.html",
        400 if message else 200,
        rows=rows,
        found=found,
        form=form,
        error=message,
        last_page=last,
        previous_url=f"{PATH}?{urlencode({**filters, 'page': current - 1})}",
        next_url=f"{PATH}?{urlencode({**filters, 'page': current + 1})}",
        csv_url=f"{PATH}.csv?{urlencode(filters)}",
    )


def _stream(engine: Engine, where: AuditFilter) -> Iterator[bytes]:
    with reading(engine) as conn:
        for line in audit.csv_lines(conn, where):
            yield line.encode()


@router.get(PATH + ".csv")
def audit_log_csv(page: PageDep) -> Response:
    query, _ = _query(page)
    where = audit.audit_filter(page.uow, page.principal, page.picked.id, query)
    return StreamingResponse(
        _stream(page.request.app.state.engine, where),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="audit-log-{page.picked.id}.csv"'},
    )
