"""Every portal page, as every kind of user, with malformed query strings: never a 5xx and
never a raw JSON answer; a person always gets a page."""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from consentline.domain.messages import Channel
from consentline.portal.install import ROUTERS
from consentline.service import messaging, orgs as org_service
from consentline.service.demo import SYSTEM
from consentline.service.unit_of_work import UnitOfWork
from tests.helpers import FakeClock
from tests.integration.portal.support import PASSWORD, Portal, PortalTenant

QUERIES = (
    "",
    "?page=-1&from=yesterday&to=&state=maybe&channel=fax&org=abc&mode=nope&sort=up",
    "?page=99999999999999999999999&org=99999999999999999999&q=%22*%20NEAR(&line=%00",
    "?line=1&contact=%2B15557770001&side=nobody&format=zip&next=//evil.example",
    "?contact=not-a-number&line=999999&channel=whatsapp&from=2026-02-01&to=2026-01-01",
    "?state=opted_in&mode=disclaimer&employee=%00&org=-5",
    "?line=%2B15550001001&contact=%2B15557770001&channel=sms&side=employee",
)
PATH_VALUES = ("1", "999999999999999999999", "abc")


def _user(engine: Engine, clock: FakeClock, org_id: int | None, email: str, *privs: str) -> str:
    with UnitOfWork(engine) as uow:
        org_service.add_user(
            uow,
            org_id,
            email,
            email.split("@")[0],
            PASSWORD,
            list(privs),
            clock(),
            is_operator=org_id is None,
        )
        uow.commit()
    return email


def _paths() -> list[str]:
    """Every GET route of every portal router, path parameters filled in several ways."""
    paths = set()
    for router in ROUTERS:
        for route in router.routes:
            if not isinstance(route, APIRoute) or "GET" not in route.methods:
                continue
            for value in PATH_VALUES if "{" in route.path else ("",):
                paths.add(re.sub(r"\{[^}]+\}", value, route.path))
    return sorted(paths)


@pytest.fixture
def users(engine: Engine, clock: FakeClock, tenant: PortalTenant) -> dict[str, str | None]:
    with UnitOfWork(engine) as uow:
        messaging.receive_inbound(
            uow,
            SYSTEM,
            line="+15550001001",
            sender="+15557770001",
            body="Hello",
            channel=Channel.SMS,
            now=clock(),
        )
        messaging.receive_inbound(
            uow,
            SYSTEM,
            line="+15550001001",
            sender="+15557770001",
            body="YES",
            channel=Channel.SMS,
            now=clock(),
        )
    return {
        "signed out": None,
        "operator": _user(engine, clock, None, "operator@walk.test"),
        "admin": tenant.admin,
        "reports only": tenant.viewer,
        "setup only": _user(engine, clock, tenant.root_id, "setup@walk.test", "setup"),
        "messaging only": _user(engine, clock, tenant.root_id, "msg@walk.test", "messaging"),
        "no privilege": _user(engine, clock, tenant.sub_id, "none@walk.test"),
    }


def test_every_page_as_every_user_with_bad_queries_is_a_page(
    portal_app: TestClient, users: dict[str, str | None]
) -> None:
    paths = _paths()
    assert {"/", "/conversations", "/conversations/view", "/reports/sms-optin"} <= set(paths)
    failures = []
    for kind, email in users.items():
        portal = Portal(TestClient(portal_app.app, raise_server_exceptions=False))
        if email:
            assert portal.sign_in(email).status_code == 303, kind
        for path in paths:
            for query in QUERIES:
                response = portal.get(path + query, follow_redirects=False)
                kind_of = response.headers.get("content-type", "")
                if response.status_code >= 500 or "json" in kind_of:
                    failures.append((kind, path + query, response.status_code, kind_of))
    assert failures == []


def test_unknown_addresses_and_methods_answer_a_page(portal: Portal, tenant: PortalTenant) -> None:
    for signed_in in (False, True):
        if signed_in:
            portal.sign_in(tenant.viewer)
        missing = portal.get("/setup/nonexistent")
        assert missing.status_code == 404
        assert "text/html" in missing.headers["content-type"]
        assert "Page not found" in missing.text
        wrong_method = portal.get("/logout")
        assert wrong_method.status_code == 405
        assert "text/html" in wrong_method.headers["content-type"]
    # The API keeps its JSON errors.
    api = portal.get("/api/v1/nothing-here")
    assert api.status_code == 404
    assert api.json()["error"]["code"] == "not_found"


def test_nav_shows_only_what_the_user_may_open(
    portal_app: TestClient, users: dict[str, str | None]
) -> None:
    for kind, email in users.items():
        if email is None:
            continue
        portal = Portal(TestClient(portal_app.app))
        portal.sign_in(email)
        home = portal.get("/")
        assert home.status_code == 200, kind
        links = set(re.findall(r'<a href="(/[^"]*)"', home.text))
        setup = portal.get("/setup/feature-settings").text
        links |= set(re.findall(r'<a href="(/setup/[^"]*)"', setup))
        for link in sorted(links):
            if link.startswith(("/static", "/docs", "/openapi")):
                continue
            answer = portal.get(link)
            assert answer.status_code == 200, (kind, link, answer.status_code)


def test_the_landing_page_fits_the_privileges(
    portal_app: TestClient, users: dict[str, str | None]
) -> None:
    expected = {
        "admin": "/try",
        "messaging only": "/try",
        "reports only": "/conversations",
        "setup only": "/setup/feature-settings",
        "no privilege": "/setup/feature-settings",
        "operator": "/try",
    }
    for kind, target in expected.items():
        portal = Portal(TestClient(portal_app.app))
        token = portal.token("/login")
        answer = portal.client.post(
            "/login",
            data={"email": users[kind], "password": PASSWORD, "csrf_token": token},
            follow_redirects=False,
        )
        assert answer.headers["location"] == target, kind


def test_the_favicon_is_served(portal: Portal) -> None:
    icon = portal.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon.headers["content-type"].startswith("image/svg+xml")
    assert icon.text.startswith("<svg")


def test_an_invalid_guest_number_opens_no_phone(portal: Portal, tenant: PortalTenant) -> None:
    portal.sign_in(tenant.admin)
    page = portal.get("/try?contact=not-a-number")
    assert page.status_code == 200
    assert "is not a phone number" in page.text
    assert 'class="phone"' not in page.text  # not the demo guest's conversation instead


def test_a_server_fault_is_a_page_for_people_and_json_for_the_api(
    portal_app: TestClient,
) -> None:
    def explode() -> None:
        raise RuntimeError("a fault")

    portal_app.app.add_api_route("/walk-explodes", explode)  # type: ignore[attr-defined]
    portal_app.app.add_api_route("/api/v1/walk-explodes", explode)  # type: ignore[attr-defined]
    client = TestClient(portal_app.app, raise_server_exceptions=False)
    page = client.get("/walk-explodes")
    assert page.status_code == 500
    assert "text/html" in page.headers["content-type"]
    assert "Something went wrong" in page.text
    assert "a fault" not in page.text
    api = client.get("/api/v1/walk-explodes")
    assert api.status_code == 500
    assert api.json()["error"]["code"] == "internal_error"
