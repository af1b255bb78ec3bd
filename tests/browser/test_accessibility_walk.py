"""Every portal page in Chromium, as each kind of user: a page (never a 5xx or raw JSON),
with no serious or critical axe-core violation; malformed query strings too."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from consentline.app import utc_now
from consentline.domain.messages import Channel
from consentline.service import messaging, orgs as org_service
from consentline.service.demo import SYSTEM
from consentline.service.unit_of_work import UnitOfWork
from tests.browser.axe import assert_accessible, load_axe, violations
from tests.browser.conftest import PASSWORD, Server, Tenant, make_tenant, sign_in

CONTACT = "+15557020001"
BAD_QUERY = "?page=-1&from=yesterday&state=maybe&channel=fax&org=abc&mode=nope&sort=up&side=x"


def pages(tenant: Tenant) -> list[str]:
    conversation = f"line={tenant.line.replace('+', '%2B')}&contact=%2B15557020001&channel=sms"
    return [
        "/",
        "/try",
        "/conversations",
        "/conversations?q=hello&state=opted_in",
        f"/conversations/view?{conversation}",
        "/reports",
        "/reports/sms-optin",
        "/reports/sms-optin?mode=disclaimer",
        f"/reports/consent-evidence?{conversation}",
        "/setup/feature-settings",
        "/setup/feature-settings/sms-optin",
        "/setup/templates",
        "/setup/users",
        "/setup/history",
        "/setup/delivery",
        "/operator/orgs",
        "/setup/nonexistent",
    ]


def _seed(server: Server, tenant: Tenant) -> None:
    with UnitOfWork(server.engine) as uow:
        for body in ("Hello, is my card ready?", "YES"):
            messaging.receive_inbound(
                uow,
                SYSTEM,
                line=tenant.line,
                sender=CONTACT,
                body=body,
                channel=Channel.SMS,
                now=utc_now(),
            )


def _user(server: Server, tenant: Tenant, email: str, privileges: list[str]) -> str:
    with UnitOfWork(server.engine) as uow:
        org_service.create_user(
            uow,
            SYSTEM,
            tenant.root_id,
            email,
            email.split("@")[0],
            PASSWORD,
            privileges,
            utc_now(),
        )
    return email


@pytest.mark.parametrize("kind", ["admin", "reports", "setup", "messaging"])
def test_every_page_is_a_page_and_accessible(page: Page, server: Server, kind: str) -> None:
    tenant = make_tenant(server)
    _seed(server, tenant)
    email = {
        "admin": tenant.admin,
        "reports": tenant.viewer,
        "setup": _user(server, tenant, f"setup-{tenant.root_id}@acme.test", ["setup"]),
        "messaging": _user(server, tenant, f"msg-{tenant.root_id}@acme.test", ["messaging"]),
    }[kind]
    load_axe(page)
    sign_in(page, email)
    problems: list[str] = []
    for path in pages(tenant):
        for query in ("", BAD_QUERY):
            target = path + (("&" if "?" in path else "?") + query[1:] if query else "")
            response = page.goto(target)
            assert response is not None
            kind_of = response.headers.get("content-type", "")
            if response.status >= 500 or "json" in kind_of:
                problems.append(f"{target}: {response.status} {kind_of}")
            if not query:
                problems.extend(violations(page))
    assert problems == []


def test_the_signed_out_pages_are_accessible(page: Page, server: Server) -> None:
    load_axe(page)
    for path in ("/", "/login", "/nothing-here"):
        page.goto(path)
        assert_accessible(page)
