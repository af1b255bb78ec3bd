"""Benchmark data: an organization in consent mode with two lines, one sending through the
simulator and one served by Twilio (whose API the benchmark stands in for locally), an API
key, and contacts already opted in on the first line."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, insert

from consentline.domain.messages import Channel
from consentline.service import (
    carriers,
    messaging,
    orgs as org_service,
    settings as settings_service,
)
from consentline.service.access import Principal
from consentline.service.unit_of_work import UnitOfWork
from consentline.store.tables import lines as line_rows, orgs

OPERATOR = Principal("benchmark", None, frozenset(), is_operator=True)
LINE = "+15550300001"
TWILIO_LINE = "+15550300002"
TWILIO_ACCOUNT_SID = "AC" + "b" * 32
TWILIO_AUTH_TOKEN = secrets.token_urlsafe(24)  # a new one each run, for a throwaway database


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
        org_service.create_line(uow, OPERATOR, org.id, TWILIO_LINE, "Bench Employee", now())
    with UnitOfWork(engine) as uow:
        twilio = {
            "account_sid": TWILIO_ACCOUNT_SID,
            "auth_token": TWILIO_AUTH_TOKEN,
            "lines": [TWILIO_LINE],
        }
        carriers.change_providers(uow, OPERATOR, org.id, {"twilio": twilio}, now())
    with UnitOfWork(engine) as uow:
        key = org_service.create_api_key(
            uow, OPERATOR, org.id, "bench", ["messaging", "reports", "setup"], now()
        )
    # benchmarks/wrk/consentline.lua's reuse mode texts these numbers.
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


def insert_bank(conn: Connection, *, lines: int, at: datetime) -> None:
    """A large archive's tenant as plain rows: "Bench Bank" with sub-organizations East and
    West, and ``lines`` lines (ids 1…lines, numbers +1555…) spread over the three."""
    conn.execute(
        insert(orgs),
        [
            {"id": 1, "name": "Bench Bank", "parent_id": None, "root_id": 1, "created_at": at},
            {"id": 2, "name": "East", "parent_id": 1, "root_id": 1, "created_at": at},
            {"id": 3, "name": "West", "parent_id": 1, "root_id": 1, "created_at": at},
        ],
    )
    conn.execute(
        insert(line_rows),
        [
            {
                "id": n,
                "org_id": 1 + n % 3,
                "root_id": 1,
                "number": f"+1555{n:07d}",
                "employee_name": f"Employee {n}",
                "created_at": at,
            }
            for n in range(1, lines + 1)
        ],
    )
