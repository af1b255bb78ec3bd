"""The revocation clock under load, on the wall clock: a backlog of ordinary messages in
the outbox, opt-outs arriving while it drains, one outbox worker sending through the
simulator. Prints the revocation report's summary and how long the backlog took to drain
(roughly what a confirmation would wait without the outbox's priority).

    uv run --frozen python -m benchmarks.revocation_clock --backlog 3000 --optouts 40
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from benchmarks.setup_data import OPERATOR, now
from consentline.app import default_providers
from consentline.domain.messages import Channel
from consentline.reports import revocations
from consentline.reports.revocations import RevocationFilter
from consentline.service import messaging, orgs as org_service, settings as settings_service
from consentline.service.outbox_worker import deliver_due
from consentline.service.report_scope import Scope
from consentline.service.unit_of_work import UnitOfWork
from consentline.store.db import make_engine, migrate

LINE = "+15550400001"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backlog", type=int, default=3000)
    parser.add_argument("--optouts", type=int, default=40)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'clock.db'}"
    engine = make_engine(url)
    migrate(engine)
    with UnitOfWork(engine) as uow:
        org = org_service.create_org(uow, OPERATOR, "Clock Bank", None, now())
    with UnitOfWork(engine) as uow:
        org_service.create_line(uow, OPERATOR, org.id, LINE, "Clock Employee", now())
    with UnitOfWork(engine) as uow:  # SMS Opt-in off: the backlog passes straight through
        settings_service.change_settings(
            uow, OPERATOR, org.id, {"sms_optin": {"entitled": True, "enabled": False}}, now()
        )
    for n in range(args.backlog):
        with UnitOfWork(engine) as uow:
            messaging.send_outbound(
                uow,
                OPERATOR,
                line=LINE,
                to=f"+1555041{n % 500:04d}",
                body=f"Statement {n}",
                channel=Channel.SMS,
                now=now(),
            )
    with UnitOfWork(engine) as uow:
        settings_service.change_settings(
            uow, OPERATOR, org.id, {"sms_optin": {"enabled": True, "mode": "consent"}}, now()
        )
    providers = default_providers()
    started = time.perf_counter()
    optouts_sent = 0
    drained_at = None
    while True:
        if optouts_sent < args.optouts:  # an opt-out arrives between two worker batches
            with UnitOfWork(engine) as uow:
                messaging.receive_inbound(
                    uow,
                    OPERATOR,
                    line=LINE,
                    sender=f"+1555042{optouts_sent:04d}",
                    body="STOP",
                    channel=Channel.SMS,
                    now=now(),
                )
            optouts_sent += 1
        if deliver_due(engine, providers, now, limit=20) == 0 and optouts_sent >= args.optouts:
            drained_at = time.perf_counter()
            break
    with engine.connect() as conn:
        scope = Scope(org.id, frozenset({org.id}), whole_tree=True)
        rows = revocations.rows(conn, scope, RevocationFilter())
        summary = revocations.summary(rows, now())
    print(
        json.dumps(
            {
                "database": engine.dialect.name,
                "backlog": args.backlog,
                "optouts": args.optouts,
                "drain_seconds": round((drained_at or started) - started, 2),
                "summary": summary,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
