"""Decisions staff record: an opt-out received by phone, in a branch, by email, letter or
web form takes effect at once; an opt-in is a request that a second person must approve."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from consentline.domain.consent import State
from consentline.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from consentline.domain.messages import Channel
from consentline.domain.phone import to_e164
from consentline.domain.recorded import Method, Source
from consentline.domain.timefmt import iso_z
from consentline.service import audit
from consentline.service.access import Principal, Privilege, visible_org
from consentline.service.recorded import (
    apply_recorded,
    check_id,
    lock,
    org_lines,
    targets,
)
from consentline.service.settings import policy_settings
from consentline.service.unit_of_work import UnitOfWork
from consentline.store.consent_ops_tables import consent_requests
from consentline.store.conversations import Provenance
from consentline.store.types import inserted_id

MAX_NOTE = 2000


@dataclass(frozen=True)
class StaffDecision:
    contact: str
    channel: Channel
    state: State
    method: Method
    note: str
    line: str | None = None
    evidence_url: str | None = None
    notify_contact: bool = False


def _check(decision: StaffDecision) -> None:
    if decision.state not in (State.OPTED_IN, State.OPTED_OUT):
        raise InvalidInput("state must be opted_in or opted_out.", code="invalid_state")
    if not decision.note.strip() or len(decision.note) > MAX_NOTE:
        raise InvalidInput(f"A note of 1 to {MAX_NOTE} characters is required.", code="bad_note")
    url = decision.evidence_url
    if url is not None and (len(url) > MAX_NOTE or not url.startswith(("https://", "http://"))):
        raise InvalidInput("evidence_url must be an http(s) URL.", code="bad_evidence_url")


def record_decision(
    uow: UnitOfWork,
    principal: Principal,
    org_id: int,
    decision: StaffDecision,
    now: datetime,
    region: str = "US",
) -> dict[str, Any]:
    """An opt-out: applied now (201). An opt-in: a pending request (202)."""
    principal.require(Privilege.SETUP)
    _check(decision)
    conn = uow.connection
    org = visible_org(conn, principal, org_id)
    scope = org_lines(conn, org)
    contact = to_e164(decision.contact, region)
    lines = targets(scope, decision.line, region)
    if decision.state is State.OPTED_IN:
        request_id = inserted_id(
            conn.execute(
                insert(consent_requests).values(
                    root_id=org.root_id,
                    org_id=org.id,
                    line_id=lines[0].id if decision.line else None,
                    contact=contact,
                    channel=decision.channel.value,
                    method=decision.method.value,
                    note=decision.note.strip(),
                    evidence_url=decision.evidence_url,
                    status="pending",
                    requested_by=principal.name,
                    requested_at=now,
                )
            )
        )
        after = {
            "contact": contact,
            "channel": decision.channel.value,
            "method": decision.method.value,
        }
        audit.record(
            uow,
            principal,
            "consent.opt_in_requested",
            "consent_request",
            request_id,
            None,
            after,
            at=now,
            org=org,
        )
        uow.commit()
        return {"request_id": request_id, "status": "pending"}
    details = {
        "recorded_by": principal.name,
        "method": decision.method.value,
        "note": decision.note.strip(),
        "evidence_url": decision.evidence_url,
        "notify_contact": decision.notify_contact,
        "decided_at": iso_z(now),
    }
    settings = policy_settings(uow, org.root_id)
    records = [
        apply_recorded(
            conn,
            lock(conn, line, contact, decision.channel.value, now),
            line,
            scope,
            settings,
            State.OPTED_OUT,
            now,
            now,
            Provenance(Source.STAFF.value, details),
            notify_contact=decision.notify_contact,
        )
        for line in sorted(lines, key=lambda line: line.id)
    ]
    uow.commit()
    return {
        "org_id": org.id,
        "contact": contact,
        "channel": decision.channel.value,
        "state": State.OPTED_OUT.value,
        "source": Source.STAFF.value,
        **details,
        "records": records,
    }


def _request(conn: Connection, principal: Principal, org_id: int, request_id: int) -> Any:
    org = visible_org(conn, principal, org_id)
    row = conn.execute(
        select(consent_requests).where(
            consent_requests.c.id == check_id(request_id, "consent request"),
            consent_requests.c.root_id == org.root_id,
        )
    ).first()
    if row is None:
        raise NotFound(f"No consent request {request_id}.")
    visible_org(conn, principal, row.org_id)
    return row


def request_view(row: Any) -> dict[str, Any]:
    return {
        "request_id": row.id,
        "org_id": row.org_id,
        "line_id": row.line_id,
        "contact": row.contact,
        "channel": row.channel,
        "state": State.OPTED_IN.value,
        "method": row.method,
        "note": row.note,
        "evidence_url": row.evidence_url,
        "status": row.status,
        "requested_by": row.requested_by,
        "requested_at": iso_z(row.requested_at),
        "decided_by": row.decided_by,
        "decided_at": iso_z(row.decided_at),
    }


def list_requests(
    uow: UnitOfWork, principal: Principal, org_id: int, status: str | None = None
) -> list[dict[str, Any]]:
    principal.require(Privilege.SETUP)
    org = visible_org(uow.connection, principal, org_id)
    query = select(consent_requests).where(consent_requests.c.root_id == org.root_id)
    if status:
        query = query.where(consent_requests.c.status == status)
    rows = uow.connection.execute(query.order_by(consent_requests.c.id.desc()).limit(500))
    return [request_view(row) for row in rows]


def _close(conn: Connection, row: Any, principal: Principal, status: str, now: datetime) -> None:
    if row.status != "pending":
        raise Conflict(f"Consent request {row.id} is already {row.status}.", code="request_closed")
    if status == "approved" and principal.name == row.requested_by:
        raise Forbidden(
            "Four eyes: the person who requested an opt-in cannot approve or reject it; "
            "another user with the Setup privilege must.",
            code="four_eyes",
        )
    # Only a still-pending row is closed: two approvers at once cannot both apply it.
    closed = conn.execute(
        update(consent_requests)
        .where(consent_requests.c.id == row.id, consent_requests.c.status == "pending")
        .values(status=status, decided_by=principal.name, decided_at=now)
    ).rowcount
    if closed != 1:
        raise Conflict(f"Consent request {row.id} was closed meanwhile.", code="request_closed")


def _audit_close(
    uow: UnitOfWork, principal: Principal, row: Any, action: str, now: datetime
) -> None:
    org = visible_org(uow.connection, principal, row.org_id)
    before = {"status": "pending", "requested_by": row.requested_by}
    after = {"status": action.rsplit("_", 1)[-1], "contact": row.contact, "channel": row.channel}
    audit.record(uow, principal, action, "consent_request", row.id, before, after, at=now, org=org)


def approve(
    uow: UnitOfWork, principal: Principal, org_id: int, request_id: int, now: datetime
) -> dict[str, Any]:
    """A second principal approves an opt-in request: it takes effect now."""
    principal.require(Privilege.SETUP)
    conn = uow.connection
    row = _request(conn, principal, org_id, request_id)
    _close(conn, row, principal, "approved", now)
    org = visible_org(conn, principal, row.org_id)
    scope = org_lines(conn, org)
    lines = [line for line in scope.lines if row.line_id in (None, line.id)]
    details = {
        "request_id": row.id,
        "requested_by": row.requested_by,
        "requested_at": iso_z(row.requested_at),
        "approved_by": principal.name,
        "method": row.method,
        "note": row.note,
        "evidence_url": row.evidence_url,
        "decided_at": iso_z(now),
    }
    settings = policy_settings(uow, org.root_id)
    records = [
        apply_recorded(
            conn,
            lock(conn, line, row.contact, row.channel, now),
            line,
            scope,
            settings,
            State.OPTED_IN,
            now,
            now,
            Provenance(Source.STAFF.value, details),
        )
        for line in sorted(lines, key=lambda line: line.id)
    ]
    _audit_close(uow, principal, row, "consent.opt_in_approved", now)
    uow.commit()
    return {
        **request_view(row),
        "status": "approved",
        "decided_by": principal.name,
        "decided_at": iso_z(now),
        "records": records,
    }


def reject(
    uow: UnitOfWork, principal: Principal, org_id: int, request_id: int, now: datetime
) -> dict[str, Any]:
    principal.require(Privilege.SETUP)
    conn = uow.connection
    row = _request(conn, principal, org_id, request_id)
    _close(conn, row, principal, "rejected", now)
    _audit_close(uow, principal, row, "consent.opt_in_rejected", now)
    uow.commit()
    return {
        **request_view(row),
        "status": "rejected",
        "decided_by": principal.name,
        "decided_at": iso_z(now),
    }
