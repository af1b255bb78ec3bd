"""Integration fixtures: a tenant made through the service layer, on a real database."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import Engine

from consentline.domain.messages import Channel
from consentline.service import messaging, orgs as org_service, settings as settings_service
from consentline.service.access import Principal
from consentline.service.messaging import MessageResult
from consentline.service.unit_of_work import UnitOfWork
from tests.helpers import FakeClock

OPERATOR = Principal("test-operator", None, frozenset(), is_operator=True)
LINE = "+15550002001"


@dataclass
class Gateway:
    """The service layer as a test drives it, one unit of work per call."""

    engine: Engine
    clock: FakeClock
    org_id: int

    def inbound(
        self, contact: str, body: str, provider_message_id: str | None = None
    ) -> MessageResult:
        with UnitOfWork(self.engine) as uow:
            return messaging.receive_inbound(
                uow,
                OPERATOR,
                line=LINE,
                sender=contact,
                body=body,
                channel=Channel.SMS,
                now=self.clock(),
                provider_message_id=provider_message_id,
            )

    def outbound(self, contact: str, body: str) -> MessageResult:
        with UnitOfWork(self.engine) as uow:
            return messaging.send_outbound(
                uow,
                OPERATOR,
                line=LINE,
                to=contact,
                body=body,
                channel=Channel.SMS,
                now=self.clock(),
            )

    def conversation(self, contact: str) -> dict[str, object]:
        with UnitOfWork(self.engine) as uow:
            return messaging.conversation_view(
                uow, OPERATOR, line=LINE, contact=contact, channel=Channel.SMS
            )


@pytest.fixture
def gateway(engine: Engine, clock: FakeClock) -> Gateway:
    with UnitOfWork(engine) as uow:
        org = org_service.create_org(uow, OPERATOR, "Contoso Clinic", None, clock())
    with UnitOfWork(engine) as uow:
        settings_service.change_settings(
            uow,
            OPERATOR,
            org.id,
            {"sms_optin": {"entitled": True, "enabled": True, "mode": "consent"}},
            clock(),
        )
    with UnitOfWork(engine) as uow:
        org_service.create_line(uow, OPERATOR, org.id, LINE, "Grace Hopper", clock())
    return Gateway(engine, clock, org.id)
