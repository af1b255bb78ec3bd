"""Single sign-on through a real OpenID Connect provider, and two-factor sign-in, in
Chromium."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import timedelta

import pyotp
import pytest
from playwright.sync_api import Page, expect

from consentline.app import utc_now
from consentline.service import sso as sso_service, totp as totp_service
from consentline.service.demo import SYSTEM
from consentline.service.sso import SsoUpdate
from consentline.service.unit_of_work import UnitOfWork
from consentline.store import users as user_store
from tests.browser.conftest import PASSWORD, Server, make_tenant, screenshot, sign_in
from tests.oidc_provider import Provider, running_provider


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    with running_provider() as running:
        yield running


@pytest.fixture
def sso_of(server: Server) -> Iterator[list[int]]:
    """Organizations whose single sign-on a test set up, turned off afterwards: the
    browser tests' users all have emails at one domain, which one organization may own."""
    roots: list[int] = []
    yield roots
    for root in roots:
        with UnitOfWork(server.engine) as uow:
            sso_service.remove(uow, SYSTEM, root, utc_now())


def _offline(page: Page) -> None:
    # The provider's pages link a stylesheet on a CDN; this machine stays offline.
    page.route(re.compile(r"https://cdn\.jsdelivr\.net/.*"), lambda route: route.abort())


def test_sign_in_through_the_organizations_identity_provider(
    page: Page, server: Server, provider: Provider, sso_of: list[int]
) -> None:
    tenant = make_tenant(server)
    sso_of.append(tenant.root_id)
    domain = tenant.admin.partition("@")[2]
    with UnitOfWork(server.engine) as uow:
        update = SsoUpdate(
            issuer=provider.issuer,
            client_id="consentline-browser",
            client_secret="browser-test-secret",
            allowed_domains=[domain],
            label="Acme Okta",
        )
        sso_service.configure(uow, SYSTEM, tenant.root_id, update, utc_now())
    sub = f"alex-{time.monotonic_ns()}"
    provider.set_user(sub, email=tenant.admin, email_verified=True, name="Alex Admin")
    _offline(page)

    page.goto("/login?next=/setup/users")
    page.get_by_label("Email").fill(tenant.admin)
    page.get_by_role("button", name="Use single sign-on").click()
    expect(page).to_have_url(re.compile(re.escape(provider.issuer) + "/oauth2/authorize"))
    page.get_by_placeholder("sub").fill(sub)
    page.get_by_role("button", name="Authorize").click()

    expect(page).to_have_url(f"{server.url}/setup/users")
    expect(page.get_by_role("heading", name="Users")).to_be_visible()
    expect(page.get_by_title(re.compile(re.escape(tenant.admin)))).to_be_visible()


def test_single_sign_on_with_an_unverified_email_is_refused(
    page: Page, server: Server, provider: Provider, sso_of: list[int]
) -> None:
    tenant = make_tenant(server)
    sso_of.append(tenant.root_id)
    with UnitOfWork(server.engine) as uow:
        update = SsoUpdate(
            issuer=provider.issuer,
            client_id="consentline-browser",
            client_secret="browser-test-secret",
            allowed_domains=[tenant.admin.partition("@")[2]],
        )
        sso_service.configure(uow, SYSTEM, tenant.root_id, update, utc_now())
    sub = f"unverified-{time.monotonic_ns()}"
    provider.set_user(sub, email=tenant.admin, email_verified=False)
    _offline(page)
    page.goto("/login")
    page.get_by_label("Email").fill(tenant.admin)
    page.get_by_role("button", name="Use single sign-on").click()
    page.get_by_placeholder("sub").fill(sub)
    page.get_by_role("button", name="Authorize").click()
    expect(page.get_by_role("heading", name="Single sign-on refused")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("has not verified the email address")
    screenshot(page, "sso-refused")
    page.goto("/setup/users")
    expect(page).to_have_url(re.compile("/login"))


def test_set_up_two_factor_then_sign_in_with_a_recovery_code(page: Page, server: Server) -> None:
    tenant = make_tenant(server)
    sign_in(page, tenant.admin)
    page.get_by_role("link", name="Security").click()
    expect(page.get_by_role("heading", name="Two-factor sign-in")).to_be_visible()
    page.get_by_role("button", name="Set up two-factor sign-in").click()
    secret = page.locator("#totp-secret").inner_text()
    expect(page.get_by_role("link", name="Add to an authenticator app")).to_have_attribute(
        "href", re.compile(r"^otpauth://totp/ConsentLine:")
    )
    qr = page.get_by_role("img", name="QR code of the account for your authenticator app")
    expect(qr).to_have_attribute("src", re.compile(r"^data:image/svg\+xml"))
    assert qr.evaluate("image => image.naturalWidth") > 0  # the browser drew it (CSP allows it)
    screenshot(page, "two-factor-setup")
    page.get_by_label("Code from the app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    codes = page.locator("#recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    page.get_by_role("link", name="I have saved them: continue").click()
    expect(page.get_by_text("Recovery codes left: 10")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    page.get_by_label("Email").fill(tenant.admin)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Two-factor sign-in")).to_be_visible()
    page.get_by_label("Code").fill(codes[0])
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_text("You used a recovery code; 9 left")).to_be_visible()


def test_sign_in_with_a_code_from_the_authenticator_app(page: Page, server: Server) -> None:
    tenant = make_tenant(server)
    earlier = utc_now() - timedelta(minutes=2)  # its confirming code is long used up
    with UnitOfWork(server.engine) as uow:
        user = user_store.find_by_email(uow.connection, tenant.viewer)
        assert user is not None
        enrolment = totp_service.start_enrolment(uow, user.id, earlier)
        code = pyotp.TOTP(enrolment.secret).at(earlier)
        totp_service.confirm_enrolment(uow, user.id, code, earlier, client_host=None)
    page.goto("/login")
    page.get_by_label("Email").fill(tenant.viewer)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{server.url}/login/two-factor")
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("alert")).to_contain_text("That code is not right")
    screenshot(page, "two-factor-sign-in")
    page.get_by_label("Code").fill(pyotp.TOTP(enrolment.secret).now())
    page.get_by_role("button", name="Verify").click()
    # Where a password sign-in lands for this Reports user.
    expect(page).to_have_url(f"{server.url}/conversations")
