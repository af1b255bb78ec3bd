"""The employee side through the organization's app: signed callbacks, retried, kept once."""

from __future__ import annotations

import hashlib
import hmac
import time

import pytest

from consentline.providers.employee_app import sign, verify
from tests.integration.carriers.conftest import APP_SECRET_KEY, CONTACT, Carrier
from tests.standins.employee_app import EmployeeAppStandIn


@pytest.fixture
def with_app(carrier: Carrier, employee_app: EmployeeAppStandIn) -> Carrier:
    carrier.providers(
        employee_app={"url": employee_app.url + "/consentline", "signing_secret": APP_SECRET_KEY}
    )
    return carrier


def test_messages_for_the_employee_arrive_as_signed_callbacks(
    with_app: Carrier, employee_app: EmployeeAppStandIn
) -> None:
    with_app.api.inbound(with_app.tenant, CONTACT, "Hi")
    with_app.api.inbound(with_app.tenant, CONTACT, "YES")
    with_app.deliver()
    assert employee_app.state.refused == 0
    bodies = employee_app.bodies()
    assert bodies[0].startswith("[Auto Message] A contact has attempted to send you a message.")
    assert bodies[-1] == "Hi"  # the released message, after the accepted notice
    first = employee_app.state.received[0]
    assert (first["line"], first["contact"], first["channel"]) == (
        with_app.tenant.line,
        CONTACT,
        "sms",
    )
    # The contact's side stays on the simulator.
    assert with_app.api.phone(with_app.tenant, CONTACT, "contact") != []
    assert with_app.api.phone(with_app.tenant, CONTACT, "employee") == []


def test_a_busy_app_is_retried_and_keeps_each_delivery_once(
    with_app: Carrier, employee_app: EmployeeAppStandIn
) -> None:
    employee_app.state.failures = 1
    with_app.api.inbound(with_app.tenant, CONTACT, "Hi")
    with_app.deliver()
    notice = next(r for r in with_app.outbox_rows() if r.destination == "employee")
    assert (notice.status, notice.last_error.split(":")[0]) == ("pending", "http_503")
    with_app.api.clock.advance(seconds=5)
    with_app.deliver()
    assert len(employee_app.bodies()) == 1


def test_the_signature_is_hmac_sha256_over_timestamp_dot_body() -> None:
    body = b'{"body":"Hi"}'
    expected = hmac.new(b"s3cret", b"1767603600." + body, hashlib.sha256).hexdigest()
    assert sign("s3cret", "1767603600", body) == f"v1={expected}"
    now = str(int(time.time()))
    assert verify("s3cret", now, body, sign("s3cret", now, body))
    assert not verify("s3cret", now, body + b" ", sign("s3cret", now, body))
    assert not verify("other", now, body, sign("s3cret", now, body))
    stale = str(int(time.time()) - 3600)
    assert not verify("s3cret", stale, body, sign("s3cret", stale, body))
