"""Benchmark: importing 100,000 consent rows (issue 15's target: under a minute here).

Builds an organization with a few lines, writes a CSV of N rows (nine in ten opt-outs, the
rest opt-ins with a date and evidence, spread over the lines), and times through the same
service the CLI and the API call:

- the dry run (every row checked and judged, nothing kept);
- the import itself (every row a consent event in its conversation's archive chain);
- the same file again (every row unchanged);
- ``archive verify`` over the result, which must be intact.

Each line shows the wall time and this process's CPU time (on a busy machine the wall time
grows with the load; the CPU time much less).

    uv run python -m benchmarks.import_consents                      # 100,000 rows, SQLite
    uv run python -m benchmarks.import_consents --rows 20000
    uv run python -m benchmarks.import_consents --database-url postgresql+psycopg://...

SQLite by default (a file in a temporary folder, removed afterwards).
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from consentline.service import orgs as org_service, settings as settings_service
from consentline.service.access import Principal
from consentline.service.archive_verify import verify
from consentline.service.consent_import import ImportSummary, import_consents
from consentline.service.unit_of_work import UnitOfWork
from consentline.store.db import make_engine, migrate

OPERATOR = Principal("benchmark", None, frozenset(), is_operator=True)
LINES = [f"+1555040{index:04d}" for index in range(1, 6)]


def _csv(rows: int, start: datetime) -> bytes:
    out = ["line,contact,channel,state,decided_at,source_system,evidence"]
    for index in range(rows):
        line = LINES[index % len(LINES)]
        contact = f"+1555{2000000 + index:07d}"
        moment = (start + timedelta(seconds=index)).isoformat().replace("+00:00", "Z")
        if index % 10 == 9:
            out.append(f"{line},{contact},sms,opted_in,{moment},LegacyCRM,signed form {index}")
        else:
            out.append(f"{line},{contact},sms,opted_out,{moment},LegacyCRM,")
    return ("\n".join(out) + "\n").encode()


def _timed(label: str, run: object) -> tuple[float, ImportSummary]:
    began, cpu = time.perf_counter(), time.process_time()
    summary = run()  # type: ignore[operator]
    elapsed = time.perf_counter() - began
    print(
        f"{label:<12} {elapsed:7.1f} s (cpu {time.process_time() - cpu:5.1f} s)  "
        f"applied {summary.applied:>7}  unchanged "
        f"{summary.unchanged:>7}  quarantined {len(summary.quarantined)}  "
        f"invalid {len(summary.invalid)}"
    )
    return elapsed, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    folder = tempfile.TemporaryDirectory()
    url = args.database_url or f"sqlite:///{Path(folder.name) / 'bench.db'}"
    engine = make_engine(url)
    migrate(engine)
    now = datetime.now(UTC)
    with UnitOfWork(engine) as uow:
        org = org_service.create_org(uow, OPERATOR, "Import Bench Bank", None, now)
    with UnitOfWork(engine) as uow:
        settings_service.change_settings(
            uow,
            OPERATOR,
            org.id,
            {"sms_optin": {"entitled": True, "enabled": True, "mode": "consent"}},
            now,
        )
    for number in LINES:
        with UnitOfWork(engine) as uow:
            org_service.create_line(uow, OPERATOR, org.id, number, "Bench Employee", now)
    data = _csv(args.rows, now - timedelta(days=400))
    print(
        f"{args.rows} rows ({len(data) / 1e6:.1f} MB) on {engine.dialect.name}, "
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} CPUs"
    )

    def run(dry_run: bool) -> ImportSummary:
        return import_consents(engine, OPERATOR, org.id, data, datetime.now(UTC), dry_run=dry_run)

    _timed("dry run", lambda: run(True))
    elapsed, summary = _timed("import", lambda: run(False))
    assert summary.applied == args.rows, summary.as_json()
    _, again = _timed("again", lambda: run(False))
    assert again.unchanged == args.rows
    began = time.perf_counter()
    result = verify(engine)
    print(
        f"{'verify':<12} {time.perf_counter() - began:7.1f} s  {result.records} records, "
        f"intact: {result.intact}"
    )
    assert result.intact
    print(f"import rate: {args.rows / elapsed:,.0f} rows/s (target: 100,000 in < 60 s)")
    engine.dispose()
    folder.cleanup()


if __name__ == "__main__":
    main()
