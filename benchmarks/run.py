"""ConsentLine's speed in one command, with its baselines measured in the same run.

    uv run python -m benchmarks.run [--databases sqlite,postgresql] [--seconds 5]

Prints a table, writes benchmarks/results/latest.json and latest.png. For each database:
the pure decision function, the service layer in-process against the store floor (the
same rows by plain SQL), and the HTTP message endpoint against the web floor (the same
server's /healthz) at 1, 8, 32 and 128 concurrent clients.
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
from itertools import count
from pathlib import Path
from typing import Any

import httpx2
from sqlalchemy import Engine, create_engine, select
from tests.postgres import PostgresServer

from benchmarks import floors, loadgen
from benchmarks.setup_data import LINE, OPERATOR, BenchData, now, seed
from consentline.domain.messages import Channel
from consentline.service import messaging
from consentline.service.unit_of_work import UnitOfWork
from consentline.store import outbox as outbox_store
from consentline.store.db import make_engine, migrate
from consentline.store.tables import conversations

RESULTS = Path(__file__).with_name("results")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def database(kind: str) -> Iterator[str]:
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/bench.db"
        return
    server = PostgresServer().start()
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
def server(url: str, workers: int) -> Iterator[int]:
    port = _free_port()
    env = {**os.environ, "CONSENTLINE_LOG_FORMAT": "json"}
    log = (RESULTS / "server.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "consentline",
            "serve",
            "--port",
            str(port),
            "--database-url",
            url,
            "--workers",
            str(workers),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx2.get(f"http://127.0.0.1:{port}/healthz").status_code == 200:
                    break
            except httpx2.HTTPError:
                time.sleep(0.2)
        else:
            raise RuntimeError(f"the server did not start; see {RESULTS / 'server.log'}")
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


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


def measure(kind: str, seconds: float, clients: list[int], workers: int) -> dict[str, Any]:
    with database(kind) as url:
        engine = make_engine(url)
        migrate(engine)
        data = seed(engine, contacts=500)
        with engine.connect() as conn:
            conversation_id = conn.execute(select(conversations.c.id).limit(1)).scalar_one()
        result: dict[str, Any] = {
            "store_floor_per_second": floors.store_floor(
                engine, conversation_id, data.org_id, seconds
            ),
            "service_per_second": service_in_process(engine, data, seconds),
        }
        engine.dispose()
        numbers = count()
        outbound = loadgen.post_json(
            "/api/v1/messages/outbound",
            data.key,
            lambda n: {
                "line": LINE,
                "to": data.contacts[n % len(data.contacts)],
                "body": f"HTTP message {next(numbers)}",
            },
        )
        healthz = loadgen.get("/healthz")
        rows = []
        with server(url, workers) as port:
            loadgen.run_load("127.0.0.1", port, healthz, 4, 1.0)  # warm up
            result["initial_drain_seconds"] = wait_for_outbox(url)
            for n in clients:
                web = loadgen.run_load("127.0.0.1", port, healthz, n, seconds, expect=(200,))
                api = loadgen.run_load("127.0.0.1", port, outbound, n, seconds, expect=(201,))
                drained = wait_for_outbox(url)
                rows.append(
                    {
                        "clients": n,
                        "web_floor": web.summary(),
                        "messages": api.summary(),
                        "outbox_drain_seconds": drained,
                    }
                )
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
            f"{'clients':>7} {'msg/s':>8} {'p50':>7} {'p95':>7} {'p99':>7} "
            f"{'healthz/s':>10} {'ratio':>6} {'errors':>6}"
        )
        for row in figures["http"]:
            m, w = row["messages"], row["web_floor"]
            ratio = m["per_second"] / w["per_second"] if w["per_second"] else 0
            print(
                f"{row['clients']:>7} {m['per_second']:>8,.0f} {m['p50_ms']:>7.1f} "
                f"{m['p95_ms']:>7.1f} {m['p99_ms']:>7.1f} {w['per_second']:>10,.0f} "
                f"{ratio:>6.0%} {m['errors']:>6}"
            )


def _chart(results: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    figure, (left, right) = pyplot.subplots(1, 2, figsize=(11, 4))
    for kind, figures in results["databases"].items():
        clients = [row["clients"] for row in figures["http"]]
        left.plot(
            clients,
            [r["messages"]["per_second"] for r in figures["http"]],
            "o-",
            label=f"messages ({kind})",
        )
        left.plot(
            clients,
            [r["web_floor"]["per_second"] for r in figures["http"]],
            "--",
            label=f"/healthz floor ({kind})",
        )
        right.plot(
            clients, [r["messages"]["p99_ms"] for r in figures["http"]], "o-", label=f"p99 ({kind})"
        )
    for axis, title in ((left, "Throughput (requests/s)"), (right, "p99 latency (ms)")):
        axis.set_xscale("log", base=2)
        axis.set_xlabel("concurrent clients")
        axis.set_title(title)
        axis.grid(alpha=0.3)
        axis.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--clients", default="1,8,32,128")
    parser.add_argument("--workers", type=int, default=1, help="server processes")
    args = parser.parse_args()
    clients = [int(n) for n in args.clients.split(",")]
    results: dict[str, Any] = {
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
        "seconds_per_point": args.seconds,
        "server_workers": args.workers,
        "domain_decisions_per_second": floors.domain_decisions(args.seconds),
        "databases": {},
    }
    for kind in args.databases.split(","):
        results["databases"][kind] = measure(kind, args.seconds, clients, args.workers)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(results, indent=2))
    _chart(results, RESULTS / "latest.png")
    _print_table(results)
    print(f"\nWrote {RESULTS / 'latest.json'} and {RESULTS / 'latest.png'}")


if __name__ == "__main__":
    main()
