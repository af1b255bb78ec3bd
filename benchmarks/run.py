"""ConsentLine's speed in one command, with its baselines measured in the same run.

    uv run python -m benchmarks.run [--databases sqlite,postgresql] [--seconds 5]

Prints a table, writes latest.json (and latest.png) to benchmarks/results/. For each
database: the service layer in-process against the store floor (the same rows by plain
SQL), and, with wrk as the client, the HTTP endpoints against the same server's /healthz
under the same clients: an employee's message to a new contact and to an opted-in one, and
Twilio's signed inbound webhook from a new contact.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import count
from pathlib import Path
from typing import Any

import httpx2
from sqlalchemy import Engine, create_engine, select
from tests.postgres import PostgresServer
from tests.standins.twilio_api import TwilioStandIn

from benchmarks import floors, http_load
from benchmarks.setup_data import (
    LINE,
    OPERATOR,
    TWILIO_ACCOUNT_SID,
    TWILIO_AUTH_TOKEN,
    TWILIO_LINE,
    BenchData,
    now,
    seed,
)
from consentline.domain.messages import Channel
from consentline.service import messaging
from consentline.service.unit_of_work import UnitOfWork
from consentline.store import outbox as outbox_store
from consentline.store.db import make_engine, migrate
from consentline.store.tables import conversations

RESULTS = Path(__file__).with_name("results")


@dataclass(frozen=True)
class Endpoint:
    """One measured request kind: the wrk script's mode and options, the status it expects."""

    name: str
    mode: str
    expect: int
    options: dict[str, str]


def endpoints(data: BenchData, base_url: str) -> list[Endpoint]:
    return [
        Endpoint("outbound_new_contact", "outbound", 201, {"line": LINE}),
        Endpoint(
            "outbound_opted_in", "outbound", 201, {"line": LINE, "reuse": str(len(data.contacts))}
        ),
        Endpoint(
            "twilio_inbound_new_contact",
            "twilio",
            200,
            {"line": TWILIO_LINE, "sid": TWILIO_ACCOUNT_SID, "url": f"{base_url}/webhooks/twilio"},
        ),
    ]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def database(kind: str) -> Iterator[str]:
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/bench.db"
        return
    server = PostgresServer(durable=True).start()  # commits wait for the WAL write
    try:
        admin = create_engine(server.url(), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql("CREATE DATABASE bench")
        admin.dispose()
        yield server.url("bench")
    finally:
        server.stop()


def service_in_process(engine: Engine, data: BenchData, seconds: float) -> float:
    """Messages per second through the whole use case: lock, decide, store, enqueue."""
    sent = 0
    started = time.perf_counter()
    deadline = started + seconds
    contacts = data.contacts
    while time.perf_counter() < deadline:
        with UnitOfWork(engine) as uow:
            messaging.send_outbound(
                uow,
                OPERATOR,
                line=LINE,
                to=contacts[sent % len(contacts)],
                body=f"In-process message {sent}",
                channel=Channel.SMS,
                now=now(),
            )
        sent += 1
    return sent / (time.perf_counter() - started)


@contextmanager
def server(url: str, workers: int, log_path: Path, twilio_api: str) -> Iterator[str]:
    """``consentline serve`` on a free port, as deployed: its outbox worker in-process, JSON
    access log (to ``log_path``), Twilio's API pointed at the local stand-in."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "CONSENTLINE_LOG_FORMAT": "json",
        "CONSENTLINE_PUBLIC_URL": base_url,
        "CONSENTLINE_TWILIO_API_BASE": twilio_api,
    }
    command = [sys.executable, "-m", "consentline", "serve", "--port", str(port)]
    command += ["--database-url", url, "--workers", str(workers)]
    with log_path.open("w") as log:
        process = subprocess.Popen(command, stdout=log, stderr=log, env=env)
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    if httpx2.get(f"{base_url}/healthz").status_code == 200:
                        break
                except httpx2.HTTPError:
                    time.sleep(0.2)
            else:
                raise RuntimeError(f"the server did not start; see {log_path}")
            yield base_url
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()  # never leave a server behind
                process.wait()


def wait_for_outbox(url: str, limit: float = 300.0) -> float:
    """Seconds until the server's worker has sent everything accepted so far, so that
    each measurement starts with an empty outbox (its backlog would compete otherwise)."""
    engine = make_engine(url)
    started = time.perf_counter()
    try:
        while time.perf_counter() - started < limit:
            with engine.connect() as conn:
                if outbox_store.pending_count(conn) == 0:
                    break
            time.sleep(0.2)
        return round(time.perf_counter() - started, 1)
    finally:
        engine.dispose()


def measure(
    kind: str, seconds: float, clients: list[int], workers: int, contacts: int, output: Path
) -> dict[str, Any]:
    with database(kind) as url:
        engine = make_engine(url)
        migrate(engine)
        data = seed(engine, contacts=contacts)
        with engine.connect() as conn:
            conversation_id = conn.execute(select(conversations.c.id).limit(1)).scalar_one()
        result: dict[str, Any] = {
            "store_floor_per_second": floors.store_floor(
                engine, conversation_id, data.org_id, seconds
            ),
            "service_per_second": service_in_process(engine, data, seconds),
        }
        engine.dispose()
        runs = count()  # each wrk run texts contacts of its own (the script's run=)
        secrets = {"CONSENTLINE_BENCH_KEY": data.key}
        secrets["CONSENTLINE_BENCH_TWILIO_TOKEN"] = TWILIO_AUTH_TOKEN
        rows = []
        twilio = TwilioStandIn({TWILIO_ACCOUNT_SID: TWILIO_AUTH_TOKEN}).start()
        try:
            with server(url, workers, output / f"server-{kind}.log", twilio.url) as base_url:
                # Warm up: each request kind once through its first-time costs (imports,
                # statement caches), so that no point measures them.
                http_load.run(base_url, "healthz", 2, 1)
                for endpoint in endpoints(data, base_url):
                    options = {**endpoint.options, "run": str(next(runs))}
                    http_load.run(base_url, endpoint.mode, 2, 1, options, secrets)
                result["initial_drain_seconds"] = wait_for_outbox(url)
                for n in clients:
                    web = http_load.run(base_url, "healthz", n, seconds)
                    row: dict[str, Any] = {"clients": n, "healthz": web.summary(200)}
                    for endpoint in endpoints(data, base_url):
                        options = {**endpoint.options, "run": str(next(runs))}
                        load = http_load.run(base_url, endpoint.mode, n, seconds, options, secrets)
                        row[endpoint.name] = {
                            **load.summary(endpoint.expect),
                            "ratio_to_healthz": round(load.per_second / web.per_second, 3)
                            if web.per_second
                            else 0.0,
                            "outbox_drain_seconds": wait_for_outbox(url),
                        }
                    rows.append(row)
            # Each new contact's first message is answered with the opt-in request, which
            # the worker sends through Twilio's API: these are the ones that arrived there.
            result["sent_through_twilio"] = len(twilio.sent())
        finally:
            twilio.stop()
        result["http"] = rows
        return result


def _print_table(results: dict[str, Any]) -> None:
    print(f"\nDomain: {results['domain_decisions_per_second']:,.0f} decisions/s")
    for kind, figures in results["databases"].items():
        floor, service = figures["store_floor_per_second"], figures["service_per_second"]
        print(f"\n== {kind}")
        print(
            f"store floor {floor:,.0f} msg/s | service in-process {service:,.0f} msg/s "
            f"| ratio {service / floor:.0%}"
        )
        print(
            f"{'clients':>7} {'endpoint':<27} {'req/s':>8} {'p50':>7} {'p90':>7} {'p99':>7} "
            f"{'max':>7} {'ratio':>6} {'errors':>6} {'drain s':>7}"
        )
        for row in figures["http"]:
            web = row["healthz"]
            print(
                f"{row['clients']:>7} {'healthz':<27} {web['per_second']:>8,.0f} "
                f"{web['p50_ms']:>7.1f} {web['p90_ms']:>7.1f} {web['p99_ms']:>7.1f} "
                f"{web['max_ms']:>7.1f} {'':>6} {web['errors']:>6}"
            )
            for name, m in row.items():
                if name in ("clients", "healthz"):
                    continue
                print(
                    f"{'':>7} {name:<27} {m['per_second']:>8,.0f} {m['p50_ms']:>7.1f} "
                    f"{m['p90_ms']:>7.1f} {m['p99_ms']:>7.1f} {m['max_ms']:>7.1f} "
                    f"{m['ratio_to_healthz']:>6.0%} {m['errors']:>6} "
                    f"{m['outbox_drain_seconds']:>7}"
                )


def _chart(results: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    figure, (left, right) = pyplot.subplots(1, 2, figsize=(11, 4))
    colors = iter(pyplot.rcParams["axes.prop_cycle"].by_key()["color"])
    for kind, figures in results["databases"].items():
        rows = figures["http"]
        clients = [row["clients"] for row in rows]
        web = [r["healthz"]["per_second"] for r in rows]
        left.plot(clients, web, "--", color=next(colors), label=f"/healthz ({kind})")
        for name in ("outbound_new_contact", "twilio_inbound_new_contact"):
            label, color = f"{name.replace('_', ' ')} ({kind})", next(colors)
            left.plot(
                clients, [r[name]["per_second"] for r in rows], "o-", color=color, label=label
            )
            right.plot(clients, [r[name]["p99_ms"] for r in rows], "o-", color=color, label=label)
    for axis, title in ((left, "Throughput (requests/s)"), (right, "p99 latency (ms)")):
        axis.set_xscale("log", base=2)
        axis.set_xlabel("concurrent clients")
        axis.set_title(title)
        axis.grid(alpha=0.3)
        axis.legend(fontsize=7)
    figure.tight_layout()
    figure.savefig(path, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--seconds", type=float, default=5.0, help="per point (whole seconds)")
    parser.add_argument("--clients", default="1,8,32,128")
    parser.add_argument("--workers", type=int, default=1, help="server processes")
    parser.add_argument("--contacts", type=int, default=500, help="opted-in contacts seeded")
    parser.add_argument("--output", type=Path, default=RESULTS, help="folder for the results")
    parser.add_argument("--no-chart", action="store_true", help="skip latest.png")
    args = parser.parse_args()
    http_load.wrk_binary()  # refuse before the long set-up when wrk is missing
    clients = [int(n) for n in args.clients.split(",")]
    args.output.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "load_average_at_start": os.getloadavg(),
        },
        "seconds_per_point": args.seconds,
        "server_workers": args.workers,
        "domain_decisions_per_second": floors.domain_decisions(args.seconds),
        "databases": {},
    }
    for kind in args.databases.split(","):
        results["databases"][kind] = measure(
            kind, args.seconds, clients, args.workers, args.contacts, args.output
        )
    results["machine"]["load_average_at_end"] = os.getloadavg()
    (args.output / "latest.json").write_text(json.dumps(results, indent=2))
    if not args.no_chart:
        _chart(results, args.output / "latest.png")
    _print_table(results)
    print(f"\nWrote {args.output / 'latest.json'}")


if __name__ == "__main__":
    main()
