"""Portal pages for lines, retention and the audit log, on the real app and both databases."""

from __future__ import annotations

from sqlalchemy import Engine, select

from consentline.archive import retention
from consentline.service import audit
from consentline.service.audit import AuditQuery
from consentline.service.demo import SYSTEM
from consentline.service.unit_of_work import UnitOfWork
from consentline.store.tables import lines
from tests.helpers import FakeClock
from tests.integration.portal.support import Portal, PortalTenant


def _actions(engine: Engine, org_id: int) -> list[str]:
    with UnitOfWork(engine) as uow:
        found = audit.audit_page(uow, SYSTEM, org_id, AuditQuery(), 1, 100)
    return [item["action"] for item in found.items]


def _line(engine: Engine, number: str) -> tuple[int, str, int, object]:
    with engine.connect() as conn:
        row = conn.execute(select(lines).where(lines.c.number == number)).one()
    return row.id, row.employee_name, row.org_id, row.retired_at


def test_lines_are_added_renamed_moved_and_retired_after_confirmation(
    portal: Portal, tenant: PortalTenant, engine: Engine
) -> None:
    portal.sign_in(tenant.admin)
    added = portal.post("/setup/lines", {"number": "(555) 000-1002", "employee_name": "Grace"})
    assert added.status_code == 303
    line_id, name, org_id, retired = _line(engine, "+15550001002")
    assert (name, org_id, retired) == ("Grace", tenant.root_id, None)
    portal.post(f"/setup/lines/{line_id}/rename", {"employee_name": "Grace Hopper"})
    portal.post(f"/setup/lines/{line_id}/move", {"org_id": str(tenant.sub_id)})
    assert _line(engine, "+15550001002")[1:3] == ("Grace Hopper", tenant.sub_id)
    asked = portal.post(f"/setup/lines/{line_id}/retire", {})
    assert asked.status_code == 200
    assert "Retire +15550001002?" in asked.text
    assert "will refuse every new message" in asked.text
    assert _line(engine, "+15550001002")[3] is None
    portal.post(f"/setup/lines/{line_id}/retire", {"confirm": "yes"})
    assert _line(engine, "+15550001002")[3] is not None
    page = portal.get("/setup/lines")
    assert "retired 2026-01-05 09:00:00" in page.text
    assert _actions(engine, tenant.root_id)[:4] == [
        "line.retired",
        "line.changed",
        "line.changed",
        "line.created",
    ]
    duplicate = portal.post("/setup/lines", {"number": "+15550001002", "employee_name": "X"})
    assert duplicate.status_code == 409
    assert "cannot be used for a new line" in duplicate.text


def test_a_user_without_setup_cannot_change_lines(
    portal: Portal, tenant: PortalTenant, engine: Engine
) -> None:
    portal.sign_in(tenant.viewer)
    refused = portal.post("/setup/lines", {"number": "+15550001003", "employee_name": "Eve"})
    assert refused.status_code == 403
    assert "Lines" not in portal.get("/setup/feature-settings").text.split("<main")[0]


def test_releasing_a_hold_and_purging_ask_first_and_are_audited(
    portal: Portal, tenant: PortalTenant, engine: Engine, clock: FakeClock
) -> None:
    portal.sign_in(tenant.admin)
    portal.post("/setup/retention/hold", {"reason": "SEC inquiry 114"})
    with engine.connect() as conn:
        assert retention.policy_for(conn, tenant.root_id).legal_hold is True
    asked = portal.post("/setup/retention/release", {})
    assert "Release the legal hold?" in asked.text
    assert "SEC inquiry 114" in asked.text
    with engine.connect() as conn:
        assert retention.policy_for(conn, tenant.root_id).legal_hold is True
    refused = portal.post("/setup/retention/purge", {})
    assert refused.status_code == 409
    portal.post("/setup/retention/release", {"confirm": "yes"})
    with engine.connect() as conn:
        assert retention.policy_for(conn, tenant.root_id).legal_hold is False
    clock.advance(days=retention.DEFAULT_RETENTION_DAYS + 1)
    portal.sign_in(tenant.admin)  # years later: the session has long ended
    asked = portal.post("/setup/retention/purge", {})
    assert "Purge the archive?" in asked.text
    assert "0 conversations of Acme Wealth" in asked.text
    assert "cannot be undone" in asked.text
    assert "retention.purged" not in _actions(engine, tenant.root_id)
    done = portal.post("/setup/retention/purge", {"confirm": "yes"})
    assert done.status_code == 303
    administered = [a for a in _actions(engine, tenant.root_id) if not a.startswith("sign_in.")]
    assert administered[:3] == [
        "retention.purged",
        "legal_hold.released",
        "legal_hold.placed",
    ]


def test_the_audit_log_page_lists_filters_and_downloads(
    portal: Portal, tenant: PortalTenant
) -> None:
    portal.sign_in("nobody@acme-wealth.test", "wrong password here")
    portal.sign_in(tenant.admin, "wrong password here")
    portal.sign_in(tenant.viewer)
    page = portal.get("/audit-log")
    assert page.status_code == 200
    assert "<code>sign_in.succeeded</code>" in page.text
    assert "<code>sign_in.failed</code>" in page.text
    assert "wrong_credentials" in page.text
    assert "<code>user.created</code>" in page.text
    assert "nobody@acme-wealth.test" not in page.text  # an unknown email is no tenant's
    only = portal.get("/audit-log", params={"action": "sign_in.failed"})
    assert "<code>user.created</code>" not in only.text
    assert "1 record ·" in only.text
    bad = portal.get("/audit-log", params={"from": "last week"})
    assert bad.status_code == 400
    assert "From must be a date" in bad.text
    download = portal.get("/audit-log.csv", params={"action": "sign_in"})
    assert download.headers["content-type"].startswith("text/csv")
    assert download.text.splitlines()[0].startswith("id,at,actor,action")
    assert len(download.text.strip().splitlines()) == 3  # header, failed, succeeded
