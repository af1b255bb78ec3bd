"""Single sign-on against a real OpenID Connect provider (see tests/oidc_provider.py):
the code flow with PKCE, users matched by email, privileges from a claim, just-in-time
accounts only when set, and each refusal a page that changes nothing."""

from __future__ import annotations

import html
import re
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from joserfc.jwk import RSAKey
from sqlalchemy import Engine, func, select

from consentline.service import sso as sso_service
from consentline.service.demo import SYSTEM
from consentline.service.sso import SsoUpdate
from consentline.service.unit_of_work import UnitOfWork
from consentline.store import users as user_store
from consentline.store.tables import users
from tests.helpers import FakeClock
from tests.integration.portal.support import Portal, PortalTenant
from tests.oidc_provider import Provider, other_key, running_provider

CLIENT_ID = "consentline-test"


@pytest.fixture(scope="session")
def idp() -> Iterator[Provider]:
    with running_provider() as provider:
        yield provider


@pytest.fixture
def provider(idp: Provider) -> Iterator[Provider]:
    idp.rewrite = None
    yield idp
    idp.rewrite = None


def _configure(engine: Engine, tenant: PortalTenant, provider: Provider, **extra: Any) -> None:
    update = SsoUpdate(
        issuer=provider.issuer,
        client_id=CLIENT_ID,
        client_secret="client secret",
        allowed_domains=["acme-wealth.test"],
        label="Acme Okta",
        **extra,
    )
    with UnitOfWork(engine) as uow:
        sso_service.configure(uow, SYSTEM, tenant.root_id, update, time_now())


def time_now() -> Any:
    from consentline.app import utc_now

    return utc_now()


def _provider_url(start: Any) -> str:
    """Where our answer to the sign-in form sends the browser: the provider's form."""
    assert start.status_code == 200, start.text
    found = re.search(r'id="sso-continue" href="([^"]+)"', start.text)
    assert found
    assert f'content="0;url={found.group(1)}"' in start.text
    return html.unescape(found.group(1))


def _sso(portal: Portal, provider: Provider, email: str, sub: str) -> Any:
    """The whole round trip: our sign-in page, the provider's form, back to our callback."""
    token = portal.token("/login")
    start = portal.client.post(
        "/login/sso",
        data={"email": email, "csrf_token": token, "next": "/setup/users"},
        follow_redirects=False,
    )
    back = provider.authorize(_provider_url(start), sub)
    parts = urlsplit(back)
    assert parts.path == "/login/sso/callback"
    return portal.client.get(f"{parts.path}?{parts.query}", follow_redirects=False)


@pytest.fixture
def wall_clock(clock: FakeClock) -> FakeClock:
    """The provider stamps its tokens with the real time; the application's clock follows."""
    from consentline.app import utc_now

    clock.now = utc_now()
    return clock


def test_the_authorization_request_uses_pkce_a_nonce_and_a_state(
    portal: Portal, tenant: PortalTenant, provider: Provider, engine: Engine
) -> None:
    _configure(engine, tenant, provider)
    token = portal.token("/login")
    start = portal.client.post(
        "/login/sso", data={"email": tenant.admin, "csrf_token": token}, follow_redirects=False
    )
    query = parse_qs(urlsplit(_provider_url(start)).query)
    assert query["response_type"] == ["code"]
    assert query["client_id"] == [CLIENT_ID]
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43
    assert len(query["nonce"][0]) >= 32
    assert len(query["state"][0]) >= 32
    assert query["scope"] == ["openid email profile"]
    assert query["login_hint"] == [tenant.admin]


def test_a_known_user_signs_in_and_the_claim_sets_privileges(
    portal: Portal, tenant: PortalTenant, provider: Provider, engine: Engine, wall_clock: FakeClock
) -> None:
    _configure(
        engine,
        tenant,
        provider,
        privileges_claim="groups",
        claim_privileges={"cl-admins": ["setup", "reports"], "cl-staff": ["messaging"]},
    )
    sub = f"sub-{time.monotonic_ns()}"
    provider.set_user(
        sub, email=tenant.viewer, email_verified=True, name="Val", groups=["cl-admins", "x"]
    )
    response = _sso(portal, provider, tenant.viewer, sub)
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/setup/users"
    assert portal.get("/setup/users").status_code == 200
    with UnitOfWork(engine) as uow:
        user = user_store.find_by_email(uow.connection, tenant.viewer)
    assert user is not None
    assert sorted(user.privileges) == ["reports", "setup"]


def _user_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(users)).scalar_one())


def test_an_unknown_user_is_refused_unless_just_in_time_accounts_are_on(
    portal: Portal, tenant: PortalTenant, provider: Provider, engine: Engine, wall_clock: FakeClock
) -> None:
    _configure(engine, tenant, provider)
    sub = f"new-{time.monotonic_ns()}"
    email = f"{sub}@acme-wealth.test"
    provider.set_user(sub, email=email, email_verified=True, name="Nina New", groups=["cl-staff"])
    before = _user_count(engine)
    refused = _sso(portal, provider, email, sub)
    assert refused.status_code == 401
    assert "There is no ConsentLine user" in refused.text
    assert _user_count(engine) == before
    _configure(
        engine,
        tenant,
        provider,
        create_users=True,
        privileges_claim="groups",
        claim_privileges={"cl-staff": ["messaging"]},
    )
    created = _sso(portal, provider, email, sub)
    assert created.status_code == 303
    with UnitOfWork(engine) as uow:
        user = user_store.find_by_email(uow.connection, email)
    assert user is not None
    assert (user.org_id, user.name, user.privileges) == (tenant.root_id, "Nina New", ("messaging",))


def _refused(
    portal: Portal, tenant: PortalTenant, provider: Provider, engine: Engine, text: str
) -> None:
    """Sign in as the tenant's viewer (privileges: reports); refused, nothing changed."""
    sub = f"viewer-{time.monotonic_ns()}"
    provider.set_user(sub, email=tenant.viewer, email_verified=True, groups=["cl-admins"])
    response = _sso(portal, provider, tenant.viewer, sub)
    assert response.status_code == 401, response.text
    assert text in response.text
    assert "nothing was changed" in response.text
    assert portal.get("/try", follow_redirects=False).status_code == 303
    with UnitOfWork(engine) as uow:
        user = user_store.find_by_email(uow.connection, tenant.viewer)
    assert user is not None
    assert user.privileges == ("reports",)


def _resigned(change: dict[str, Any]) -> Any:
    def rewrite(claims: dict[str, Any], key: RSAKey) -> tuple[dict[str, Any], RSAKey]:
        return {**claims, **change}, key

    return rewrite


@pytest.mark.parametrize(
    ("rewrite", "text"),
    [
        pytest.param(
            lambda claims, _key: (claims, other_key()), "not signed with its key", id="signature"
        ),
        pytest.param(
            _resigned({"iss": "https://idp.attacker.test"}), "another identity provider", id="iss"
        ),
        pytest.param(_resigned({"aud": "another-app"}), "meant for another application", id="aud"),
        pytest.param(
            _resigned({"nonce": "someone-elses"}), "does not match this browser", id="nonce"
        ),
        pytest.param(_resigned({"exp": 1_700_000_000}), "has expired", id="expired"),
    ],
)
def test_a_token_wrong_in_one_way_is_refused(
    portal: Portal,
    tenant: PortalTenant,
    provider: Provider,
    engine: Engine,
    wall_clock: FakeClock,
    rewrite: Any,
    text: str,
) -> None:
    _configure(
        engine,
        tenant,
        provider,
        privileges_claim="groups",
        claim_privileges={"cl-admins": ["setup"]},
    )
    provider.rewrite = rewrite
    _refused(portal, tenant, provider, engine, text)


def test_a_token_used_after_the_applications_clock_passed_its_expiry_is_refused(
    portal: Portal, tenant: PortalTenant, provider: Provider, engine: Engine, wall_clock: FakeClock
) -> None:
    _configure(engine, tenant, provider)
    wall_clock.advance(hours=2)  # the provider's tokens live an hour
    _refused(portal, tenant, provider, engine, "has expired")


def test_an_email_outside_the_allowed_domains_is_refused(
    portal: Portal, tenant: PortalTenant, provider: Provider, engine: Engine, wall_clock: FakeClock
) -> None:
    _configure(engine, tenant, provider, create_users=True)
    sub = f"outsider-{time.monotonic_ns()}"
    provider.set_user(sub, email="mallory@elsewhere.test", email_verified=True)
    before = _user_count(engine)
    response = _sso(portal, provider, tenant.admin, sub)
    assert response.status_code == 401
    assert "not in an email domain allowed" in response.text
    assert _user_count(engine) == before


def test_an_unverified_email_is_refused(
    portal: Portal, tenant: PortalTenant, provider: Provider, engine: Engine, wall_clock: FakeClock
) -> None:
    _configure(engine, tenant, provider)
    sub = f"unverified-{time.monotonic_ns()}"
    provider.set_user(sub, email=tenant.admin, email_verified=False)
    response = _sso(portal, provider, tenant.admin, sub)
    assert response.status_code == 401
    assert "has not verified the email address" in response.text
    assert portal.get("/try", follow_redirects=False).status_code == 303


def test_a_callback_without_this_browsers_attempt_is_refused(
    portal: Portal, tenant: PortalTenant, provider: Provider, engine: Engine, wall_clock: FakeClock
) -> None:
    _configure(engine, tenant, provider)
    sub = f"csrf-{time.monotonic_ns()}"
    provider.set_user(sub, email=tenant.admin, email_verified=True)
    token = portal.token("/login")
    start = portal.client.post(
        "/login/sso", data={"email": tenant.admin, "csrf_token": token}, follow_redirects=False
    )
    back = urlsplit(provider.authorize(_provider_url(start), sub))
    forged = back.query.replace("state=", "state=x")
    wrong_state = portal.client.get(f"{back.path}?{forged}", follow_redirects=False)
    assert wrong_state.status_code == 401
    assert "does not belong to this browser" in wrong_state.text
    # The attempt is spent: the right answer afterwards is refused too.
    late = portal.client.get(f"{back.path}?{back.query}", follow_redirects=False)
    assert late.status_code == 401
    assert portal.get("/try", follow_redirects=False).status_code == 303


def test_an_email_domain_without_single_sign_on_says_so(portal: Portal) -> None:
    token = portal.token("/login")
    response = portal.client.post(
        "/login/sso", data={"email": "someone@nowhere.test", "csrf_token": token}
    )
    assert response.status_code == 404
    assert "Single sign-on is not set up for that email" in response.text


def test_the_sign_in_page_sets_up_sso_and_never_shows_the_secret(
    portal: Portal, tenant: PortalTenant, provider: Provider, engine: Engine
) -> None:
    portal.sign_in(tenant.admin)
    token = portal.token("/setup/sign-in")
    form = {
        "label": "Acme Okta",
        "issuer": provider.issuer,
        "client_id": CLIENT_ID,
        "client_secret": "the-secret-of-the-client",
        "allowed_domains": "acme-wealth.test, Acme.test",
        "privileges_claim": "groups",
        "claim_privileges": "cl-admins: setup, reports\ncl-staff: messaging\n",
    }
    saved = portal.post("/setup/sign-in/sso", form, token=token)
    assert saved.status_code == 303, saved.text
    page = portal.get("/setup/sign-in")
    assert "the-secret-of-the-client" not in page.text
    assert "acme-wealth.test, acme.test" in page.text
    assert "http://testserver/login/sso/callback" in page.text
    with UnitOfWork(engine) as uow:
        config = sso_service.get(uow, SYSTEM, tenant.root_id)
    assert config is not None
    assert config.claim_privileges == {"cl-admins": ["reports", "setup"], "cl-staff": ["messaging"]}
    bad = portal.post(
        "/setup/sign-in/sso", {**form, "claim_privileges": "cl-admins: owner"}, token=token
    )
    assert bad.status_code == 422
    assert "Unknown privilege owner" in bad.text
    assert (
        portal.post("/setup/sign-in/totp", {"require_totp": "on"}, token=token).status_code == 303
    )
    assert (
        'id="require-totp" name="require_totp" value="on" checked'
        in portal.get("/setup/sign-in").text
    )
