"""TOTP as the second factor of password sign-in, over the real application: enrolment,
codes (each usable once), recovery codes, the organization's requirement, throttling."""

from __future__ import annotations

import logging
import re

import pyotp
import pytest
from sqlalchemy import Engine, select

from consentline.domain.sign_in_throttle import LOCKOUT_AFTER
from consentline.service import totp as totp_service
from consentline.service.demo import SYSTEM
from consentline.service.unit_of_work import UnitOfWork
from consentline.store.sign_in_tables import recovery_codes, totp_factors
from tests.helpers import FakeClock
from tests.integration.portal.support import Portal, PortalTenant

_SECRET = re.compile(r'id="totp-secret">([A-Z2-7]+)<')
_CODES = re.compile(r"<li><code>([a-z2-9-]+)</code></li>")


def _enrol(portal: Portal, tenant: PortalTenant, clock: FakeClock) -> tuple[str, list[str]]:
    """Sign in, turn TOTP on from the two-factor page; the secret and the recovery codes."""
    assert portal.sign_in(tenant.admin).status_code == 303
    token = portal.token("/account/two-factor")
    page = portal.post("/account/two-factor/setup", {}, token=token)
    assert page.status_code == 200
    found = _SECRET.search(page.text)
    assert found
    secret = found.group(1)
    assert "otpauth://totp/ConsentLine:" in page.text
    code = pyotp.TOTP(secret).at(clock())
    done = portal.post("/account/two-factor/confirm", {"code": code}, token=token)
    assert done.status_code == 200, done.text
    codes = _CODES.findall(done.text)
    return secret, codes


def _sign_out(portal: Portal) -> None:
    assert portal.post("/logout", {}).status_code == 303


def _second_step(portal: Portal, code: str) -> object:
    token = portal.token("/login/two-factor")
    return portal.post("/login/two-factor", {"code": code}, token=token)


def test_enrolment_shows_ten_recovery_codes_once_and_stores_only_their_hashes(
    portal: Portal, tenant: PortalTenant, clock: FakeClock, engine: Engine
) -> None:
    _secret, codes = _enrol(portal, tenant, clock)
    assert len(codes) == 10
    assert len(set(codes)) == 10
    with engine.connect() as conn:
        stored = [row.code_hash for row in conn.execute(select(recovery_codes))]
    assert len(stored) == 10
    assert not set(codes) & set(stored)
    page = portal.get("/account/two-factor")
    assert "Recovery codes left: <strong>10</strong>" in page.text
    assert not any(code in page.text for code in codes)


def test_a_wrong_confirmation_code_leaves_two_factor_off(
    portal: Portal, tenant: PortalTenant, engine: Engine
) -> None:
    portal.sign_in(tenant.admin)
    token = portal.token("/account/two-factor")
    portal.post("/account/two-factor/setup", {}, token=token)
    refused = portal.post("/account/two-factor/confirm", {"code": "000000"}, token=token)
    assert refused.status_code == 401
    assert "That code is not right" in refused.text
    with engine.connect() as conn:
        assert conn.execute(select(totp_factors.c.enabled_at)).scalar_one() is None
    assert "is <strong>off</strong>" in portal.get("/account/two-factor").text


def test_password_sign_in_then_asks_for_a_code_and_nothing_opens_before_it(
    portal: Portal, tenant: PortalTenant, clock: FakeClock
) -> None:
    secret, _codes = _enrol(portal, tenant, clock)
    _sign_out(portal)
    clock.advance(seconds=30)
    response = portal.sign_in(tenant.admin)
    assert response.status_code == 303
    assert response.headers["location"] == "/login/two-factor"
    assert portal.get("/setup/users", follow_redirects=False).status_code == 303
    wrong = _second_step(portal, "123456")
    assert wrong.status_code == 401  # type: ignore[attr-defined]
    assert portal.get("/setup/users", follow_redirects=False).status_code == 303
    right = _second_step(portal, pyotp.TOTP(secret).at(clock()))
    assert right.status_code == 303  # type: ignore[attr-defined]
    assert right.headers["location"] == "/try"  # type: ignore[attr-defined]
    assert portal.get("/setup/users").status_code == 200


def test_a_code_is_accepted_once(portal: Portal, tenant: PortalTenant, clock: FakeClock) -> None:
    secret, _codes = _enrol(portal, tenant, clock)
    _sign_out(portal)
    # The code that confirmed the enrolment was already used.
    portal.sign_in(tenant.admin)
    assert _second_step(portal, pyotp.TOTP(secret).at(clock())).status_code == 401  # type: ignore[attr-defined]
    clock.advance(seconds=30)
    code = pyotp.TOTP(secret).at(clock())
    assert _second_step(portal, code).status_code == 303  # type: ignore[attr-defined]
    _sign_out(portal)
    portal.sign_in(tenant.admin)
    assert _second_step(portal, code).status_code == 401  # type: ignore[attr-defined]


def test_a_recovery_code_signs_in_once(
    portal: Portal, tenant: PortalTenant, clock: FakeClock
) -> None:
    _secret, codes = _enrol(portal, tenant, clock)
    _sign_out(portal)
    portal.sign_in(tenant.admin)
    used = _second_step(portal, codes[3].upper().replace("-", " "))
    assert used.status_code == 303  # type: ignore[attr-defined]
    assert "9 left" in portal.get("/try").text
    _sign_out(portal)
    portal.sign_in(tenant.admin)
    assert _second_step(portal, codes[3]).status_code == 401  # type: ignore[attr-defined]
    assert _second_step(portal, codes[4]).status_code == 303  # type: ignore[attr-defined]


def test_guessing_codes_is_throttled_like_passwords(
    portal: Portal, tenant: PortalTenant, clock: FakeClock
) -> None:
    secret, _codes = _enrol(portal, tenant, clock)
    _sign_out(portal)
    for _ in range(LOCKOUT_AFTER):
        clock.advance(seconds=61)
        # A right password each time does not reset the count of wrong codes.
        assert portal.sign_in(tenant.admin).status_code == 303
        assert _second_step(portal, "000000").status_code == 401  # type: ignore[attr-defined]
    clock.advance(seconds=61)
    locked = portal.sign_in(tenant.admin)
    assert locked.status_code == 429
    assert "locked" in locked.text
    # Even the right code waits out the lockout.
    refused = _second_step(portal, pyotp.TOTP(secret).at(clock()))
    assert refused.status_code == 429  # type: ignore[attr-defined]
    assert portal.get("/try", follow_redirects=False).status_code == 303


def test_an_organization_that_requires_it_sends_users_to_set_it_up(
    portal: Portal, tenant: PortalTenant, clock: FakeClock, engine: Engine
) -> None:
    with UnitOfWork(engine) as uow:
        totp_service.set_required(uow, SYSTEM, tenant.root_id, True, clock())
    response = portal.sign_in(tenant.viewer)
    assert response.headers["location"] == "/login/two-factor/setup"
    page = portal.get("/login/two-factor/setup")
    assert "requires a second factor" in page.text
    assert portal.get("/reports", follow_redirects=False).status_code == 303
    found = _SECRET.search(page.text)
    assert found
    again = _SECRET.search(portal.get("/login/two-factor/setup").text)
    assert again
    assert again.group(1) == found.group(1)  # a reload keeps the secret
    token = portal.token("/login/two-factor/setup")
    done = portal.post(
        "/login/two-factor/setup", {"code": pyotp.TOTP(found.group(1)).at(clock())}, token=token
    )
    assert done.status_code == 200
    assert len(_CODES.findall(done.text)) == 10
    assert portal.get("/try").status_code == 200
    # Required: it cannot be turned off.
    clock.advance(seconds=30)
    token = portal.token("/account/two-factor")
    off = portal.post(
        "/account/two-factor/disable",
        {"code": pyotp.TOTP(found.group(1)).at(clock())},
        token=token,
    )
    assert off.status_code == 409
    assert "requires a second factor" in off.text


def test_turning_it_off_needs_a_code_and_then_the_password_is_enough(
    portal: Portal, tenant: PortalTenant, clock: FakeClock
) -> None:
    secret, _codes = _enrol(portal, tenant, clock)
    token = portal.token("/account/two-factor")
    assert portal.post("/account/two-factor/disable", {"code": "1"}, token=token).status_code == 401
    clock.advance(seconds=30)
    off = portal.post(
        "/account/two-factor/disable", {"code": pyotp.TOTP(secret).at(clock())}, token=token
    )
    assert off.status_code == 303
    _sign_out(portal)
    assert portal.sign_in(tenant.admin).headers["location"] == "/try"


def test_a_half_done_sign_in_lapses(portal: Portal, tenant: PortalTenant, clock: FakeClock) -> None:
    secret, _codes = _enrol(portal, tenant, clock)
    _sign_out(portal)
    portal.sign_in(tenant.admin)
    clock.advance(minutes=11)
    late = _second_step(portal, pyotp.TOTP(secret).at(clock()))
    assert late.status_code == 303  # type: ignore[attr-defined]
    assert late.headers["location"] == "/login"  # type: ignore[attr-defined]
    assert portal.get("/try", follow_redirects=False).status_code == 303


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_secrets_and_codes_are_never_logged(
    portal: Portal, tenant: PortalTenant, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    secret, codes = _enrol(portal, tenant, clock)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert secret not in logged
    assert not any(code in logged for code in codes)


def test_the_setup_page_shows_the_otpauth_uri_as_a_qr_code(
    portal: Portal, tenant: PortalTenant
) -> None:
    from consentline.portal.qr import qr_data_uri

    portal.sign_in(tenant.admin)
    token = portal.token("/account/two-factor")
    page = portal.post("/account/two-factor/setup", {}, token=token)
    uri = re.search(r'href="(otpauth://[^"]+)" id="otpauth-uri"', page.text)
    assert uri
    expected = qr_data_uri(uri.group(1).replace("&amp;", "&"))
    assert f'src="{expected}"' in page.text.replace("&amp;", "&").replace("&#39;", "'")
