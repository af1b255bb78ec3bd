"""Setup > Consents in the portal: record, request, approve by another person, reject,
import and export; the dossier link on the conversation page."""

from __future__ import annotations

import io
import zipfile

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from consentline.domain.messages import Channel
from consentline.service import messaging, orgs as org_service
from consentline.service.demo import SYSTEM
from consentline.service.unit_of_work import UnitOfWork
from tests.helpers import FakeClock
from tests.integration.portal.support import PASSWORD, Portal, PortalTenant

CONTACT = "+15557770001"
LINE = "+15550001001"


def _state(engine: Engine) -> str:
    with UnitOfWork(engine, read_only=True) as uow:
        view = messaging.conversation_view(
            uow, SYSTEM, line=LINE, contact=CONTACT, channel=Channel.SMS
        )
    return str(view["consent"]["state"])


def _second_admin(engine: Engine, clock: FakeClock, tenant: PortalTenant) -> str:
    with UnitOfWork(engine) as uow:
        org_service.create_user(
            uow, SYSTEM, tenant.root_id, "second@acme.test", "Second", PASSWORD, ["setup"], clock()
        )
    return "second@acme.test"


def _form(portal: Portal, **fields: str) -> dict[str, str]:
    return {"contact": CONTACT, "line": LINE, "method": "email", "note": "Asked by email", **fields}


def test_staff_record_an_opt_out_and_a_second_person_approves_the_opt_in(
    portal: Portal, portal_app: TestClient, tenant: PortalTenant, engine: Engine, clock: FakeClock
) -> None:
    portal.sign_in(tenant.admin)
    page = portal.get("/setup/consents")
    assert page.status_code == 200
    assert "Record a decision taken outside the text channel" in page.text
    done = portal.post("/setup/consents", _form(portal, state="opted_out"))
    assert done.status_code == 303
    assert _state(engine) == "opted_out"
    assert "recorded; it applies now" in portal.get("/setup/consents").text

    portal.post("/setup/consents", _form(portal, state="opted_in", method="letter"))
    listed = portal.get("/setup/consents").text
    assert "another person approves" in listed  # no Approve button for the requester
    refused = portal.post("/setup/consents/requests/1/approve", {})
    assert refused.status_code == 403
    assert "Four eyes" in refused.text
    assert _state(engine) == "opted_out"

    second = Portal(TestClient(portal_app.app))
    second.sign_in(_second_admin(engine, clock, tenant))
    assert 'aria-label="Approve request 1"' in second.get("/setup/consents").text
    assert second.post("/setup/consents/requests/1/approve", {}).status_code == 303
    assert _state(engine) == "opted_in"


def test_a_request_can_be_rejected(portal: Portal, tenant: PortalTenant, engine: Engine) -> None:
    portal.sign_in(tenant.admin)
    portal.post("/setup/consents", _form(portal, state="opted_out"))
    portal.post("/setup/consents", _form(portal, state="opted_in"))
    assert portal.post("/setup/consents/requests/1/reject", {}).status_code == 303
    assert "rejected by user:" in portal.get("/setup/consents").text
    assert _state(engine) == "opted_out"


def test_export_import_and_the_dossier_link(
    portal: Portal, tenant: PortalTenant, engine: Engine
) -> None:
    portal.sign_in(tenant.admin)
    portal.post("/setup/consents", _form(portal, state="opted_out"))
    exported = portal.get("/setup/consents/export", params={"kind": "suppression"})
    assert exported.status_code == 200
    assert f"{LINE},{CONTACT},sms,opted_out," in exported.text
    token = portal.token("/setup/consents")
    checked = portal.client.post(
        "/setup/consents/import",
        data={"csrf_token": token, "dry_run": "true"},
        files={"file": ("ledger.csv", exported.content, "text/csv")},
    )
    assert checked.status_code == 200
    assert "Applied 0, unchanged 1, quarantined 0, invalid 0." in checked.text
    bad = portal.client.post(
        "/setup/consents/import",
        data={"csrf_token": token},
        files={"file": ("bad.csv", b"phone\n1\n", "text/csv")},
    )
    assert bad.status_code == 422
    assert "unknown column(s) &#39;phone&#39;" in bad.text

    conversation = portal.get("/conversations/view", params={"line": LINE, "contact": CONTACT})
    assert "Download the signed consent dossier" in conversation.text
    dossier = portal.get("/conversations/dossier", params={"line": LINE, "contact": CONTACT})
    assert dossier.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(dossier.content)).namelist()
    assert sorted(names) == ["dossier.html", "manifest.json", "manifest.sig"]


def test_a_user_without_setup_may_not_record(portal: Portal, tenant: PortalTenant) -> None:
    portal.sign_in(tenant.viewer)
    assert portal.get("/setup/consents").status_code == 403
    refused = portal.post("/setup/consents", _form(portal, state="opted_out"))
    assert refused.status_code == 403
