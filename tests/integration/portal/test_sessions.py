"""Portal sessions kept on the server: sign-out, replayed cookies, timeouts, the account page."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from consentline.app import create_app
from consentline.config import Config
from consentline.portal.sessions import SESSION_COOKIE
from consentline.store.access_tables import portal_sessions
from tests.helpers import FakeClock
from tests.integration.portal.support import PASSWORD, Portal, PortalTenant

PAGE = "/setup/users"


def _opens(client: TestClient, cookie: str) -> bool:
    """Whether a browser holding only this cookie value sees the page."""
    fresh = TestClient(client.app, cookies={SESSION_COOKIE: cookie})
    return bool(fresh.get(PAGE, follow_redirects=False).status_code == 200)


def _rows(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(portal_sessions)).scalar_one())


def test_a_cookie_saved_before_sign_out_opens_nothing_after_it(
    portal: Portal, tenant: PortalTenant
) -> None:
    portal.sign_in(tenant.admin)
    saved = portal.client.cookies[SESSION_COOKIE]
    assert _opens(portal.client, saved)
    assert portal.post("/logout", {}).status_code == 303
    assert not _opens(portal.client, saved)
    replayed = TestClient(portal.client.app, cookies={SESSION_COOKIE: saved})
    answer = replayed.get(PAGE, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=/setup/users"


def test_the_cookie_is_an_opaque_id_renewed_at_sign_in_and_http_only(
    portal: Portal, tenant: PortalTenant, engine: Engine
) -> None:
    portal.get("/login")
    before = portal.client.cookies[SESSION_COOKIE]
    signed_in = portal.sign_in(tenant.admin)
    header = signed_in.headers["set-cookie"]
    after = portal.client.cookies[SESSION_COOKIE]
    assert after != before  # a planted id is worth nothing after sign-in
    assert not _opens(portal.client, before)
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", after)
    assert "HttpOnly" in header
    assert "SameSite=lax" in header
    assert "Secure" not in header  # development: plain http on localhost
    with engine.connect() as conn:
        stored = conn.execute(select(portal_sessions.c.token_hash)).scalars().all()
    assert after not in stored  # only its hash is kept


def test_production_cookies_are_secure(engine: Engine, clock: FakeClock, database_url: str) -> None:
    config = Config(database_url=database_url, environment="production", secret_key="s" * 40)
    app = create_app(config, engine=engine, clock=clock, run_worker=False)
    with TestClient(app, base_url="https://testserver") as client:
        header = client.get("/login").headers["set-cookie"]
    assert "Secure" in header
    assert "HttpOnly" in header


@pytest.fixture
def short_sessions(
    engine: Engine, clock: FakeClock, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Portal]:
    """Timeouts from the environment: 10 minutes idle, 1 hour in all."""
    monkeypatch.setenv("CONSENTLINE_SESSION_IDLE_MINUTES", "10")
    monkeypatch.setenv("CONSENTLINE_SESSION_ABSOLUTE_HOURS", "1")
    config = Config(database_url=database_url)
    app = create_app(config, engine=engine, clock=clock, run_worker=False)
    with TestClient(app) as client:
        yield Portal(client)


def test_a_session_ends_after_the_idle_timeout(
    short_sessions: Portal, tenant: PortalTenant, clock: FakeClock
) -> None:
    portal = short_sessions
    portal.sign_in(tenant.admin)
    clock.advance(minutes=9)
    assert portal.get(PAGE, follow_redirects=False).status_code == 200
    clock.advance(minutes=9)  # 9 minutes since the last request: still alive
    assert portal.get(PAGE, follow_redirects=False).status_code == 200
    clock.advance(minutes=10, seconds=1)
    assert portal.get(PAGE, follow_redirects=False).status_code == 303


def test_a_busy_session_still_ends_at_the_absolute_timeout(
    short_sessions: Portal, tenant: PortalTenant, clock: FakeClock
) -> None:
    portal = short_sessions
    portal.sign_in(tenant.admin)
    for _ in range(7):
        clock.advance(minutes=8)
        assert portal.get(PAGE, follow_redirects=False).status_code == 200
    clock.advance(minutes=8)  # 64 minutes after sign-in
    assert portal.get(PAGE, follow_redirects=False).status_code == 303


def test_the_default_timeouts_are_30_minutes_and_12_hours() -> None:
    config = Config()
    assert (config.session_idle_minutes, config.session_absolute_hours) == (30, 12)


def test_ended_sessions_are_cleared_from_the_table(
    portal: Portal, tenant: PortalTenant, engine: Engine, clock: FakeClock
) -> None:
    for _ in range(3):
        TestClient(portal.client.app).get("/login")
    assert _rows(engine) == 3
    clock.advance(minutes=31)
    portal.sign_in(tenant.admin)  # a new session sweeps the stale ones
    assert _rows(engine) == 1


def _other_browser(portal: Portal, tenant_email: str, password: str = PASSWORD) -> Portal:
    other = Portal(TestClient(portal.client.app, client=("192.0.2.7", 50000)))
    assert other.sign_in(tenant_email, password).status_code == 303
    return other


def test_the_account_page_lists_sessions_and_signs_out_one_or_everywhere(
    portal: Portal, tenant: PortalTenant
) -> None:
    portal.sign_in(tenant.admin)
    laptop = _other_browser(portal, tenant.admin)
    page = portal.get("/account").text
    assert "Signed-in sessions" in page
    assert "192.0.2.7" in page
    assert "This browser" in page
    session_id = re.search(r'/account/sessions/(\d+)/end"', page).group(1)  # type: ignore[union-attr]
    assert portal.post(f"/account/sessions/{session_id}/end", {}).status_code == 303
    assert laptop.get(PAGE, follow_redirects=False).status_code == 303
    assert portal.get(PAGE, follow_redirects=False).status_code == 200

    laptop = _other_browser(portal, tenant.admin)
    ended = portal.post("/account/sessions/end-all", {})
    assert ended.headers["location"] == "/login"
    assert portal.get(PAGE, follow_redirects=False).status_code == 303
    assert laptop.get(PAGE, follow_redirects=False).status_code == 303


def test_a_session_of_someone_else_cannot_be_ended(
    portal: Portal, tenant: PortalTenant, engine: Engine
) -> None:
    viewer = _other_browser(portal, tenant.viewer)
    with engine.connect() as conn:
        theirs = conn.execute(
            select(portal_sessions.c.id).where(portal_sessions.c.user_id.is_not(None))
        ).scalar_one()
    portal.sign_in(tenant.admin)
    answer = portal.post(f"/account/sessions/{theirs}/end", {})
    assert answer.status_code == 404
    assert "No such session of yours." in answer.text
    assert viewer.get("/conversations", follow_redirects=False).status_code == 200


def test_changing_the_password_keeps_this_session_and_ends_the_others(
    portal: Portal, tenant: PortalTenant
) -> None:
    portal.sign_in(tenant.admin)
    laptop = _other_browser(portal, tenant.admin)
    wrong = portal.post(
        "/account/password",
        {
            "current_password": "not it at all",
            "new_password": "a brand new password",
            "repeat_password": "a brand new password",
        },
    )
    assert wrong.status_code == 422
    assert "The current password is not right." in wrong.text
    weak = portal.post(
        "/account/password",
        {
            "current_password": PASSWORD,
            "new_password": "admin@acme-wealth",
            "repeat_password": "admin@acme-wealth",
        },
    )
    assert weak.status_code == 422
    assert "must not contain your email address" in weak.text
    assert laptop.get(PAGE, follow_redirects=False).status_code == 200  # nothing changed

    done = portal.post(
        "/account/password",
        {
            "current_password": PASSWORD,
            "new_password": "a brand new password",
            "repeat_password": "a brand new password",
        },
    )
    assert done.status_code == 303
    assert "1 other session signed out" in portal.get("/account").text
    assert portal.get(PAGE, follow_redirects=False).status_code == 200
    assert laptop.get(PAGE, follow_redirects=False).status_code == 303
    assert laptop.sign_in(tenant.admin, PASSWORD).status_code == 401
    assert laptop.sign_in(tenant.admin, "a brand new password").status_code == 303
