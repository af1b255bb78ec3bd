"""Benchmark: the SMS Opt-In Report and ``archive verify`` over a large archive.

Builds N consent records (conversations) and M archived messages (each with one status
event, plus one consent event per conversation, all hash-chained exactly as the gateway
chains them) with bulk inserts, then times:

- the report's JSON first page (50 rows, with the total), against a plain COUNT(*) of the
  same rows;
- the full CSV export (streamed, every row), against a plain scan of the same rows;
- ``archive verify`` (every chain), against a plain scan of every archive row.

    uv run python -m benchmarks.report_and_verify                     # 1,000,000 / 5,000,000
    uv run python -m benchmarks.report_and_verify --consents 100000 --messages 500000
    uv run python -m benchmarks.report_and_verify --database-url postgresql+psycopg://...

SQLite by default (a file in a temporary folder, removed afterwards).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, insert, select, text

from benchmarks.setup_data import insert_bank
from consentline.domain import archive_chain as chain
from consentline.domain.settings import Mode
from consentline.reports import exports, sms_optin
from consentline.reports.sms_optin import ReportFilter
from consentline.service.archive_verify import verify
from consentline.service.report_scope import Scope
from consentline.store.db import make_engine, migrate, reading
from consentline.store.tables import (
    consent_events,
    conversations,
    message_events,
    messages,
)

START = datetime(2024, 1, 1, tzinfo=UTC)
LINES = 1000
BATCH = 20_000


def _build(engine: Engine, consents: int, total_messages: int, seed: int = 7) -> Scope:
    rng = random.Random(seed)
    per_conversation = max(1, total_messages // consents)
    with engine.begin() as conn:
        insert_bank(conn, lines=LINES, at=START)
    buffers: dict[str, list[dict[str, Any]]] = {
        "conversations": [],
        "messages": [],
        "message_events": [],
        "consent_events": [],
    }
    tables = {
        "conversations": conversations,
        "messages": messages,
        "message_events": message_events,
        "consent_events": consent_events,
    }

    def flush(force: bool = False) -> None:
        if not force and len(buffers["messages"]) < BATCH:
            return
        with engine.begin() as conn:
            for name, rows in buffers.items():
                if rows:
                    conn.execute(insert(tables[name]), rows)
                    rows.clear()

    message_id = event_id = consent_id = 0
    for cid in range(1, consents + 1):
        line_id = 1 + cid % LINES
        contact = f"+1666{cid:08d}"
        mode = Mode.CONSENT.value if rng.random() < 0.8 else Mode.DISCLAIMER.value
        if mode == Mode.CONSENT.value:
            state = rng.choices(["opted_in", "opted_out", "pending"], [60, 15, 25])[0]
        else:
            state = rng.choices(["disclaimer_sent", "opted_out"], [85, 15])[0]
        began = START + timedelta(minutes=rng.randrange(0, 2 * 365 * 24 * 60))
        identity = {
            "id": cid,
            "root_id": 1,
            "line_id": line_id,
            "contact": contact,
            "channel": "sms",
        }
        head, seq = chain.genesis(identity), 0
        evidence = None
        moment = began
        for n in range(per_conversation):
            message_id += 1
            moment = began + timedelta(minutes=n)
            inbound = n % 2 == 0
            record = {
                "id": message_id,
                "root_id": 1,
                "conversation_id": cid,
                "sender": "contact" if inbound else "employee",
                "recipient": "employee" if inbound else "contact",
                "kind": "user",
                "template": None,
                "body": "YES" if n == 1 and inbound else f"Message {n} of conversation {cid}",
                "channel": "sms",
                "provider_message_id": None,
                "group_id": None,
                "created_at": moment,
            }
            seq += 1
            head = chain.link(head, "messages", seq, record)
            buffers["messages"].append({**record, "chain_seq": seq, "chain_hash": head})
            event_id += 1
            status = {
                "id": event_id,
                "message_id": message_id,
                "conversation_id": cid,
                "status": "delivered",
                "reason": None,
                "consent_state": state,
                "created_at": moment,
            }
            seq += 1
            head = chain.link(head, "message_events", seq, status)
            buffers["message_events"].append({**status, "chain_seq": seq, "chain_hash": head})
            if n == 0:
                evidence = message_id
                consent_id += 1
                change = {
                    "id": consent_id,
                    "conversation_id": cid,
                    "message_id": message_id,
                    "old_state": "none",
                    "new_state": state,
                    "mode": mode,
                    "initiated_by": "contact",
                    "request_text": None,
                    "created_at": moment,
                }
                seq += 1
                head = chain.link(head, "consent_events", seq, change)
                buffers["consent_events"].append({**change, "chain_seq": seq, "chain_hash": head})
        decided = state in ("opted_in", "opted_out")
        buffers["conversations"].append(
            {
                **identity,
                "state": state,
                "mode": mode,
                "initiated_by": "contact",
                "requested_at": began,
                "last_request_at": began,
                "request_text": None,
                "decided_at": began if decided else None,
                "evidence_message_id": evidence if decided else None,
                "created_at": began,
                "updated_at": moment,
                "chain_length": seq,
                "chain_head": head,
            }
        )
        flush()
    flush(force=True)
    return Scope(1, frozenset({1, 2, 3}), whole_tree=True)


def _timed(action: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    value = action()
    return time.perf_counter() - started, value


def _report_page(engine: Engine, scope: Scope) -> Any:
    with reading(engine) as conn:
        return sms_optin.page(conn, scope, ReportFilter(Mode.CONSENT), 1, 50)


def _count_baseline(engine: Engine) -> int:
    with reading(engine) as conn:
        query = (
            select(func.count())
            .select_from(conversations)
            .where(conversations.c.root_id == 1, conversations.c.mode == "consent")
        )
        return int(conn.execute(query).scalar_one())


def _csv_export(engine: Engine, scope: Scope) -> int:
    with reading(engine) as conn:
        rows = sms_optin.stream(conn, scope, ReportFilter(Mode.CONSENT))
        return sum(len(chunk) for chunk in exports.csv_chunks(rows))


def _scan_baseline(engine: Engine) -> int:
    with reading(engine) as conn:
        query = select(conversations).where(
            conversations.c.root_id == 1, conversations.c.mode == "consent"
        )
        result = conn.execution_options(stream_results=True, yield_per=5000).execute(query)
        return sum(1 for _ in result)


def _archive_scan_baseline(engine: Engine) -> int:
    count = 0
    with reading(engine) as conn:
        for table in (messages, message_events, consent_events):
            result = conn.execution_options(stream_results=True, yield_per=5000).execute(
                select(table)
            )
            count += sum(1 for _ in result)
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--consents", type=int, default=1_000_000)
    parser.add_argument("--messages", type=int, default=5_000_000)
    args = parser.parse_args()
    folder = tempfile.TemporaryDirectory(prefix="consentline-bench-")
    url = args.database_url or f"sqlite:///{Path(folder.name) / 'bench.db'}"
    engine = make_engine(url)
    migrate(engine)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("SELECT 1"))
    print(
        f"machine : {platform.platform()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}"
    )
    print(f"database: {engine.dialect.name} ({engine.url.render_as_string(hide_password=True)})")
    print(f"building: {args.consents:,} consent records, {args.messages:,} messages ...")
    build_time, scope = _timed(lambda: _build(engine, args.consents, args.messages))
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
    else:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE")
    print(f"built in {build_time:,.1f} s")

    results = []
    page_time, page = _timed(lambda: _report_page(engine, scope))
    count_time, count = _timed(lambda: _count_baseline(engine))
    assert page["total"] == count
    results.append(
        ("report JSON first page (50 rows + total)", page_time, "COUNT(*) same rows", count_time)
    )
    csv_time, size = _timed(lambda: _csv_export(engine, scope))
    scan_time, scanned = _timed(lambda: _scan_baseline(engine))
    results.append(
        (
            f"full CSV export ({scanned:,} rows, {size / 1e6:,.1f} MB)",
            csv_time,
            "plain scan same rows",
            scan_time,
        )
    )
    verify_time, outcome = _timed(lambda: verify(engine))
    assert outcome.problem is None, outcome.problem
    archive_time, archived = _timed(lambda: _archive_scan_baseline(engine))
    results.append(
        (
            f"archive verify ({outcome.records:,} records)",
            verify_time,
            f"plain scan of {archived:,} rows",
            archive_time,
        )
    )

    print()
    print(f"{'operation':<52} {'time':>9}   {'baseline':<28} {'time':>9}  ratio")
    for name, seconds, baseline, base_seconds in results:
        ratio = seconds / base_seconds if base_seconds else float("inf")
        print(f"{name:<52} {seconds:>8.2f}s   {baseline:<28} {base_seconds:>8.2f}s  {ratio:5.1f}x")
    engine.dispose()
    folder.cleanup()


if __name__ == "__main__":
    main()
