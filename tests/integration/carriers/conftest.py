"""Carrier tests: the application pointed at local stand-ins for Twilio, Meta and the app."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from twilio.request_validator import RequestValidator

from consentline.app import create_app, default_providers
from consentline.config import Config
from consentline.service.outbox_worker import deliver_due
from consentline.store.tables import outbox
from tests.helpers import Api, FakeClock, Tenant
from tests.standins.employee_app import EmployeeAppStandIn
from tests.standins.graph_api import GraphStandIn
from tests.standins.twilio_api import TwilioStandIn

PUBLIC_URL = "https://gateway.example.com"
ACCOUNT_SID = "AC" + "1" * 32
AUTH_TOKEN = "twilio-auth-token-0123456789abcdef"
PHONE_NUMBER_ID = "106540352242922"
ACCESS_TOKEN = "EAAG-whatsapp-access-token"
APP_SECRET = "meta-app-secret-0123456789"
VERIFY_TOKEN = "verify-me-please"
APP_SECRET_KEY = "employee-app-signing-secret"
LINE = "+15550001001"
CONTACT = "+15557770001"


@pytest.fixture
def twilio_api() -> Iterator[TwilioStandIn]:
    stand_in = TwilioStandIn({ACCOUNT_SID: AUTH_TOKEN}).start()
    yield stand_in
    stand_in.stop()


@pytest.fixture
def graph_api() -> Iterator[GraphStandIn]:
    stand_in = GraphStandIn({PHONE_NUMBER_ID: ACCESS_TOKEN}).start()
    yield stand_in
    stand_in.stop()


@pytest.fixture
def employee_app() -> Iterator[EmployeeAppStandIn]:
    stand_in = EmployeeAppStandIn(APP_SECRET_KEY).start()
    yield stand_in
    stand_in.stop()


@dataclass
class Carrier:
    """The API, the carrier config, and a way to run the outbox once."""

    api: Api
    config: Config
    tenant: Tenant

    @property
    def client(self) -> TestClient:
        return self.api.client

    def deliver(self, **options: Any) -> int:
        providers = default_providers(self.config, self.api.clock)
        return deliver_due(self.api.engine, providers, self.api.clock, **options)

    def providers(self, expect: int = 200, **patch: Any) -> Any:
        return self.api.call(
            "PATCH",
            f"/api/v1/orgs/{self.tenant.org_id}/providers",
            self.tenant.key,
            expect,
            json=patch,
        )

    def outbox_rows(self) -> list[Any]:
        with self.api.engine.connect() as conn:
            return list(conn.execute(select(outbox).order_by(outbox.c.id)))

    def twilio_post(
        self, path: str, params: dict[str, str], *, token: str = AUTH_TOKEN, sign: bool = True
    ) -> Any:
        url = PUBLIC_URL + path
        headers = {}
        if sign:
            headers["X-Twilio-Signature"] = RequestValidator(token).compute_signature(url, params)
        return self.client.post(path, data=params, headers=headers)


@pytest.fixture
def carrier(
    engine: Engine,
    clock: FakeClock,
    database_url: str,
    operator_key: str,
    twilio_api: TwilioStandIn,
    graph_api: GraphStandIn,
) -> Iterator[Carrier]:
    config = Config(
        database_url=database_url,
        public_url=PUBLIC_URL,
        twilio_api_base=twilio_api.url,
        graph_api_base=graph_api.url,
        carrier_timeout=5,
    )
    app = create_app(config, engine=engine, clock=clock, run_worker=False)
    with TestClient(app) as client:
        api = Api(client, engine, clock, operator_key)
        tenant = api.tenant(line=LINE)
        yield Carrier(api, config, tenant)


@pytest.fixture
def whatsapp(carrier: Carrier) -> Carrier:
    carrier.providers(
        whatsapp={
            "access_token": ACCESS_TOKEN,
            "app_secret": APP_SECRET,
            "verify_token": VERIFY_TOKEN,
            "lines": {LINE: PHONE_NUMBER_ID},
            "optin_template": {
                "name": "optin_request",
                "language": "en_US",
                "parameters": ["employee_name", "company_name"],
            },
        }
    )
    return carrier


@pytest.fixture
def twilio_line(carrier: Carrier) -> Carrier:
    carrier.providers(
        twilio={"account_sid": ACCOUNT_SID, "auth_token": AUTH_TOKEN, "lines": [LINE]}
    )
    return carrier


def twilio_inbound(body: str, sid: str, **extra: str) -> dict[str, str]:
    """The form Twilio posts for an incoming SMS."""
    return {
        "ToCountry": "US",
        "ToState": "CA",
        "SmsMessageSid": sid,
        "NumMedia": "0",
        "ToCity": "",
        "FromZip": "",
        "SmsSid": sid,
        "FromState": "NY",
        "SmsStatus": "received",
        "FromCity": "",
        "Body": body,
        "FromCountry": "US",
        "To": LINE,
        "ToZip": "",
        "NumSegments": "1",
        "MessageSid": sid,
        "AccountSid": ACCOUNT_SID,
        "From": CONTACT,
        "ApiVersion": "2010-04-01",
        **extra,
    }
