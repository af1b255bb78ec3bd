"""Benchmark data: an organization in consent mode, a line, and contacts already opted in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine

from consentline.domain.messages import Channel
from consentline.service import messaging, orgs as org_service, settings as settings_service
from consentline.service.access import Principal
from consentline.service.unit_of_work import UnitOfWork

OPERATOR = Principal("benchmark", None, frozenset(), is_operator=True)
LINE = "+15550300001"


@dataclass(frozen=True)
class BenchData:
    org_id: int
    line: str
    contacts: list[str]
    key: str


def now() -> datetime:
    return datetime.now(UTC)


def seed(engine: Engine, contacts: int) -> BenchData:
    with UnitOfWork(engine) as uow:
        org = org_service.create_org(uow, OPERATOR, "Benchmark Bank", None, now())
    with UnitOfWork(engine) as uow:
        settings_service.change_settings(
            uow,
            OPERATOR,
            org.id,
            {"sms_optin": {"entitled": True, "enabled": True, "mode": "consent"}},
            now(),
        )
    with UnitOfWork(engine) as uow:
        org_service.create_line(uow, OPERATOR, org.id, LINE, "Bench Employee", now())
    with UnitOfWork(engine) as uow:
        key = org_service.create_api_key(
            uow, OPERATOR, org.id, "bench", ["messaging", "reports", "setup"], now()
        )
    numbers = [f"+1555031{index:04d}" for index in range(contacts)]
    for number in numbers:
        for body in ("Hello", "YES"):
            with UnitOfWork(engine) as uow:
                messaging.receive_inbound(
                    uow,
                    OPERATOR,
                    line=LINE,
                    sender=number,
                    body=body,
                    channel=Channel.SMS,
                    now=now(),
                )
    return BenchData(org.id, LINE, numbers, key)
