"""The portal over HTTP: sign-in, CSRF, throttling (per account and per client address), and
permissions enforced by the server."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from consentline.app import create_app
from consentline.config import Config
from consentline.domain.sign_in_throttle import (
    ADDRESS_LOCKOUT_AFTER,
    FREE_ATTEMPTS,
    LOCKOUT,
    LOCKOUT_AFTER,
    MAX_DELAY,
)
from consentline.service import (
    orgs as org_service,
    settings as settings_service,
    users as user_service,
)
from consentline.service.demo import SYSTEM
from consentline.service.unit_of_work import UnitOfWork
from consentline.store import orgs as org_store
from tests.helpers import FakeClock
from tests.integration.portal.support import (
    Portal,
    PortalTenant,
    make_tenant,
    portal_from,
    settings_of,
)


def test_a_page_asks_a_signed_out_visitor_to_sign_in(portal: Portal) -> None:
    response = portal.get("/setup/templates", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/setup/templates"


def test_sign_in_with_the_right_password_opens_the_portal(
    portal: Portal, tenant: PortalTenant
) -> None:
    assert portal.sign_in(tenant.admin, "not the password").status_code == 401
    response = portal.sign_in(tenant.admin.upper())
    assert response.status_code == 303
    assert response.headers["location"] == "/try"
    page = portal.get("/setup/feature-settings/sms-optin")
    assert page.status_code == 200
    assert 'id="enabled"' in page.text


def test_sign_out_ends_the_session(portal: Portal, tenant: PortalTenant) -> None:
    portal.sign_in(tenant.admin)
    assert portal.post("/logout", {}).status_code == 303
    assert portal.get("/try", follow_redirects=False).status_code == 303


def test_repeated_failures_are_slowed_then_refused_across_processes(
    portal: Portal,
    tenant: PortalTenant,
    engine: Engine,
    clock: FakeClock,
    database_url: str,
) -> None:
    for _ in range(FREE_ATTEMPTS):
        assert portal.sign_in(tenant.admin, "wrong password!").status_code == 401
    refused = portal.sign_in(tenant.admin)  # even the right password must wait now
    assert refused.status_code == 429
    assert "Too many failed sign-ins" in refused.text
    assert int(refused.headers["Retry-After"]) >= 1

    # Another server process on the same database sees the same failures.
    other = create_app(
        Config(database_url=database_url, secret_key="k" * 40),
        engine=engine,
        clock=clock,
        run_worker=False,
    )
    with TestClient(other) as client:
        assert Portal(client).sign_in(tenant.admin).status_code == 429

    clock.advance(seconds=5)
    assert portal.sign_in(tenant.admin).status_code == 303


def test_one_password_tried_on_many_emails_from_one_address_locks_that_address_out(
    portal_app: TestClient,
    tenant: PortalTenant,
    engine: Engine,
    clock: FakeClock,
    database_url: str,
) -> None:
    attacker = portal_from(portal_app, "203.0.113.9")
    for number in range(ADDRESS_LOCKOUT_AFTER - 1):
        guess = attacker.sign_in(f"person{number}@acme-wealth.test", "Winter2026!")
        assert guess.status_code == 401
    # A right password from that address still signs in, and forgets only its own failures.
    assert attacker.sign_in(tenant.viewer).status_code == 303
    assert attacker.sign_in("one.more@acme-wealth.test", "Winter2026!").status_code == 401

    refused = attacker.sign_in(tenant.admin)  # an email never tried, the right password
    assert refused.status_code == 429
    assert "Too many failed sign-ins from your network address" in refused.text
    assert "locked for 15 minutes" in refused.text
    assert int(refused.headers["Retry-After"]) == LOCKOUT.total_seconds()

    # Another server process on the same database refuses that address too.
    other = create_app(
        Config(database_url=database_url, secret_key="k" * 40),
        engine=engine,
        clock=clock,
        run_worker=False,
    )
    with TestClient(other, client=("203.0.113.9", 50000)) as client:
        assert Portal(client).sign_in(tenant.admin).status_code == 429

    # Someone elsewhere is not held back by it.
    assert portal_from(portal_app, "198.51.100.4").sign_in(tenant.admin).status_code == 303

    clock.advance(seconds=LOCKOUT.total_seconds())
    assert attacker.sign_in(tenant.admin).status_code == 303


def test_an_account_is_still_locked_when_the_guesses_come_from_many_addresses(
    portal_app: TestClient, tenant: PortalTenant, clock: FakeClock
) -> None:
    for number in range(LOCKOUT_AFTER):
        guesser = portal_from(portal_app, f"203.0.113.{number + 1}")
        assert guesser.sign_in(tenant.admin, "wrong password!").status_code == 401
        clock.advance(seconds=MAX_DELAY.total_seconds())  # past each doubling wait
    refused = portal_from(portal_app, "198.51.100.4").sign_in(tenant.admin)
    assert refused.status_code == 429
    assert "this account is locked" in refused.text
    # The same addresses may still sign in to other accounts.
    assert portal_from(portal_app, "203.0.113.1").sign_in(tenant.viewer).status_code == 303


def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(
    portal: Portal, tenant: PortalTenant, engine: Engine
) -> None:
    portal.sign_in(tenant.admin)
    response = portal.post(
        "/setup/feature-settings/sms-optin",
        {"action": "enabled", "confirm": "yes"},
        token="forged",
    )
    assert response.status_code == 403
    assert "form has expired" in response.text
    assert settings_of(engine, tenant.root_id)["sms_optin"]["enabled"] is True


def test_enabling_needs_the_confirmation_then_is_recorded_as_the_user(
    portal: Portal, tenant: PortalTenant, engine: Engine
) -> None:
    portal.sign_in(tenant.admin)
    unconfirmed = portal.post("/setup/feature-settings/sms-optin", {"action": "enabled"})
    assert unconfirmed.status_code == 200
    assert 'role="dialog"' in unconfirmed.text
    assert "disable SMS Opt-in" in unconfirmed.text
    assert settings_of(engine, tenant.root_id)["sms_optin"]["enabled"] is True

    done = portal.post("/setup/feature-settings/sms-optin", {"action": "enabled", "confirm": "yes"})
    assert done.status_code == 303
    assert settings_of(engine, tenant.root_id)["sms_optin"]["enabled"] is False
    history = portal.get("/setup/history").text
    assert "SMS Opt-in enabled" in history
    assert "sms_optin.enabled" not in history
    assert tenant.admin in history


def test_group_messaging_with_consent_shows_the_notice_and_saves_nothing(
    portal: Portal, tenant: PortalTenant, engine: Engine
) -> None:
    portal.sign_in(tenant.admin)
    response = portal.post("/setup/feature-settings", {"group_messaging": "on"})
    assert response.status_code == 409
    alert = re.search(r'role="alert">(.*?)</div>', response.text, re.S)
    assert alert
    assert "Group Message and SMS Opt-in with Consent cannot be enabled simultaneously" in (
        alert.group(1)
    )
    assert settings_of(engine, tenant.root_id)["group_messaging"]["enabled"] is False


def test_a_user_without_setup_sees_the_values_but_the_server_refuses_changes(
    portal: Portal, tenant: PortalTenant, engine: Engine
) -> None:
    portal.sign_in(tenant.viewer)
    page = portal.get("/setup/feature-settings/sms-optin").text
    assert re.search(r'id="enabled"[^>]*checked[^>]*disabled', page, re.S)
    assert "needs the Setup privilege" in page
    refused = portal.post(
        "/setup/feature-settings/sms-optin", {"action": "mode", "mode": "disclaimer"}
    )
    assert refused.status_code == 403
    assert settings_of(engine, tenant.root_id)["sms_optin"]["mode"] == "consent"
    assert portal.post("/setup/templates", {"key": "mt_request", "text": "x"}).status_code == 403


def test_a_sub_organization_shows_its_main_organization_and_refuses_changes(
    portal: Portal, tenant: PortalTenant, engine: Engine
) -> None:
    portal.sign_in(tenant.admin)
    portal.pick(tenant.sub_id)
    page = portal.get("/setup/feature-settings/sms-optin").text
    assert "Set on the main organization Acme Wealth" in page
    assert re.search(r'id="mode-consent"[^>]*checked[^>]*disabled', page, re.S)
    refused = portal.post(
        "/setup/feature-settings/sms-optin", {"action": "mode", "mode": "disclaimer"}
    )
    assert refused.status_code == 403
    assert "inherited from the main organization" in refused.text
    assert settings_of(engine, tenant.root_id)["sms_optin"]["mode"] == "consent"


def test_an_organization_not_entitled_sees_the_request_text_and_no_controls(
    portal: Portal, engine: Engine, clock: FakeClock
) -> None:
    other = make_tenant(engine, clock, "Plain Bank", entitled=False, line="+15550003003")
    portal.sign_in(other.admin)
    page = portal.get("/setup/feature-settings/sms-optin").text
    assert "please have your admin team reach out to the" in page
    assert "service provider" in page
    assert 'id="enabled"' not in page
    assert 'name="mode"' not in page


def test_another_enterprise_cannot_be_picked(
    portal: Portal, tenant: PortalTenant, engine: Engine, clock: FakeClock
) -> None:
    other = make_tenant(engine, clock, "Rival Bank", line="+15550002002")
    portal.sign_in(tenant.admin)
    response = portal.post("/org", {"org_id": other.root_id, "next": "/"})
    assert response.status_code == 404
    assert "Rival Bank" not in portal.get("/setup/feature-settings").text


def test_templates_edits_are_checked_and_can_be_locked_by_the_operator(
    portal: Portal, tenant: PortalTenant, engine: Engine, clock: FakeClock
) -> None:
    portal.sign_in(tenant.admin)
    bad = portal.post("/setup/templates", {"key": "mt_request", "text": "Hi <Guest Name>"})
    assert bad.status_code == 422
    assert "unknown placeholder &lt;Guest Name&gt;" in bad.text
    safe = "Hi from <Employee Name>: <Opt-in Text> or <Opt-out Text>?"
    ok = portal.post("/setup/templates", {"key": "mt_request", "text": safe})
    assert ok.status_code == 303
    assert settings_of(engine, tenant.root_id)["templates"]["mt_request"] == safe
    # Only the operator may lock templates; the service refuses the admin.
    assert portal.post("/setup/templates/editable", {}).status_code == 403
    with UnitOfWork(engine) as uow:
        settings_service.change_settings(
            uow, SYSTEM, tenant.root_id, {"templates_editable": False}, clock()
        )
    locked = portal.post("/setup/templates", {"key": "mt_request", "text": "Changed"})
    assert locked.status_code == 403
    assert "customized by the service provider" in locked.text


def test_preview_counts_characters_and_segments(portal: Portal, tenant: PortalTenant) -> None:
    portal.sign_in(tenant.admin)
    response = portal.post(
        "/setup/templates/preview", {"key": "mt_request", "text": "<Employee Name> says hi €"}
    )
    assert response.status_code == 200
    assert "Ada Lovelace says hi €" in response.text
    assert "22 characters" in response.text
    assert "1 SMS segment" in response.text
    assert "23/160 units" in response.text


def test_the_users_page_adds_people_and_sets_privileges(
    portal: Portal, tenant: PortalTenant, engine: Engine
) -> None:
    portal.sign_in(tenant.admin)
    added = portal.post(
        "/setup/users",
        {
            "name": "Casey",
            "email": "casey@acme.test",
            "password": "a long password",
            "privileges": ["reports"],
        },
    )
    assert added.status_code == 303
    page = portal.get("/setup/users").text
    assert "casey@acme.test" in page
    user_id = int(
        re.search(
            r'/setup/users/(\d+)/privileges"[^<]*<input[^>]*>\s*<fieldset[^<]*'
            r"<legend[^>]*>Privileges of casey@acme.test",
            page,
            re.S,
        ).group(1)
    )
    saved = portal.post(f"/setup/users/{user_id}/privileges", {"privileges": ["setup", "reports"]})
    assert saved.status_code == 303
    assert re.search(rf'id="p-{user_id}-setup"[^>]*checked', portal.get("/setup/users").text)
    weak = portal.post("/setup/users", {"name": "X", "email": "x@acme.test", "password": "short"})
    assert weak.status_code == 422
    assert "at least 10 characters" in weak.text


def test_the_operator_grants_the_entitlement_and_creates_organizations(
    portal: Portal, tenant: PortalTenant, engine: Engine, clock: FakeClock
) -> None:
    with UnitOfWork(engine) as uow:
        org_service.add_user(
            uow,
            None,
            "ops@provider.test",
            "Ops",
            "operator password",
            [],
            clock(),
            is_operator=True,
        )
        uow.commit()
    assert portal.sign_in(tenant.admin).status_code == 303
    assert portal.get("/operator/orgs").status_code == 403
    portal.post("/logout", {})
    portal.sign_in("ops@provider.test", "operator password")
    created = portal.post("/operator/orgs", {"name": "Globex Clinic", "parent_id": ""})
    assert created.status_code == 303
    with engine.connect() as conn:
        globex = next(o for o in org_store.list_orgs(conn) if o.name == "Globex Clinic")
    assert settings_of(engine, globex.id)["sms_optin"]["entitled"] is False
    portal.post(f"/operator/orgs/{globex.id}/entitlement", {"sms_optin": "on"})
    assert settings_of(engine, globex.id)["sms_optin"]["entitled"] is True
    # Withdrawing asks first, saying what will happen; only the confirmed form withdraws.
    asked = portal.post(f"/operator/orgs/{globex.id}/entitlement", {})
    assert asked.status_code == 200
    assert "Withdraw SMS Opt-in from Globex Clinic?" in asked.text
    assert "SMS Opt-in stops for Globex Clinic" in asked.text
    assert settings_of(engine, globex.id)["sms_optin"]["entitled"] is True
    portal.post(f"/operator/orgs/{globex.id}/entitlement", {"confirm": "yes"})
    assert settings_of(engine, globex.id)["sms_optin"]["entitled"] is False


def test_portal_pages_carry_security_headers_and_the_api_does_not(
    portal: Portal, tenant: PortalTenant
) -> None:
    page = portal.get("/login")
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"
    assert "content-security-policy" not in portal.get("/docs").headers


def test_production_needs_a_secret_key() -> None:
    with pytest.raises(ValueError, match="CONSENTLINE_SECRET_KEY"):
        Config(environment="production", secret_key=None)
    assert Config(environment="production", secret_key="s" * 32).secret_key == "s" * 32


def test_keywords_are_saved_and_a_word_that_both_opts_in_and_out_is_refused(
    portal: Portal, tenant: PortalTenant, engine: Engine
) -> None:
    portal.sign_in(tenant.admin)
    saved = portal.post(
        "/setup/keywords",
        {"opt_in": "SI", "opt_out": "ALTO", "opt_in_synonyms": "START", "opt_out_synonyms": "END"},
    )
    assert saved.status_code == 303
    keywords = settings_of(engine, tenant.root_id)["keywords"]
    assert (keywords["opt_in"], keywords["opt_out"]) == ("SI", "ALTO")
    assert keywords["opt_out_synonyms"] == ["END"]
    clash = portal.post("/setup/keywords", {"opt_in": "GO", "opt_out": "GO"})
    assert clash.status_code == 422
    assert "cannot both opt in and opt out" in clash.text
    assert settings_of(engine, tenant.root_id)["keywords"]["opt_in"] == "SI"


def test_the_session_reads_the_users_privileges_afresh_on_every_request(
    portal: Portal, tenant: PortalTenant, engine: Engine, clock: FakeClock
) -> None:
    portal.sign_in(tenant.viewer)
    assert re.search(
        r'id="enabled"[^>]*disabled', portal.get("/setup/feature-settings/sms-optin").text
    )
    with UnitOfWork(engine) as uow:
        viewer = next(
            u
            for u in user_service.list_users(uow, SYSTEM, tenant.root_id)
            if u.email == tenant.viewer
        )
        user_service.set_privileges(uow, SYSTEM, tenant.root_id, viewer.id, ["setup"], clock())
    page = portal.get("/setup/feature-settings/sms-optin").text
    assert not re.search(r'id="enabled"[^>]*disabled', page)


def test_the_phones_work_without_script_too(portal: Portal, tenant: PortalTenant) -> None:
    portal.sign_in(tenant.admin)
    page = portal.get("/try").text
    line_id = re.search(r'name="line" value="(\d+)"', page)
    assert line_id
    sent = portal.post(
        "/try/send",
        {"line": line_id.group(1), "contact": "+15550199001", "side": "contact", "body": "Hi"},
    )
    assert sent.status_code == 303
    assert sent.headers["location"].startswith("/try?line=")
    again = portal.get(sent.headers["location"]).text
    assert "Sent from the contact&#39;s phone: held." in again
    assert "Held: waiting for consent" in again
