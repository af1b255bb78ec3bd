"""Where the time of one outbound message goes: the server runs in this process under
cProfile (every thread: the event loop, the request threads, the outbox worker), wrk sends
``POST /api/v1/messages/outbound``, and every SQL statement is counted by thread.

    uv run python -m benchmarks.profile_outbound [--database sqlite] [--seconds 10]
        [--clients 8] [--contacts new|opted-in] [--clock cpu|wall] [--top 30]

``--clock cpu`` (the default) times each thread's own CPU (``time.thread_time``): where the
work is. ``--clock wall`` times the wall clock, waits included: where requests queue (the
write lock of SQLite, the database's round trips, the thread pool).

Prints the statements per request and per delivered message, the CPU time by thread, and
the functions with the most cumulative time; writes benchmarks/results/outbound.prof
(open it with ``python -m pstats`` or snakeviz). Profiling slows everything down by about
half: the shares are what to read, not the rates.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import re
import sys
import threading
import time
from collections import Counter
from types import FrameType
from typing import Any

import uvicorn
from sqlalchemy import event

from benchmarks import http_load
from benchmarks.run import RESULTS, database, free_port
from benchmarks.setup_data import LINE, seed
from consentline.app import create_app, engine_for
from consentline.config import Config
from consentline.observability import logging_config
from consentline.store.db import migrate

REQUEST_THREADS = "AnyIO worker thread"  # where FastAPI runs sync endpoints and dependencies
WORKER_THREAD = "outbox-worker"


class Statements:
    """SQL statements by thread group, counted while ``on``."""

    def __init__(self) -> None:
        self.on = False
        self.lock = threading.Lock()
        self.by_group: dict[str, Counter[str]] = {}

    def __call__(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not self.on:
            return
        name = threading.current_thread().name
        group = "request" if name.startswith(REQUEST_THREADS) else name
        shape = re.sub(r"\s+", " ", statement).strip()[:90]
        with self.lock:
            self.by_group.setdefault(group, Counter())[shape] += 1


def profile(kind: str, seconds: float, clients: int, contacts: str, clock: str, top: int) -> str:
    timer = time.thread_time if clock == "cpu" else time.perf_counter
    out = io.StringIO()
    with database(kind) as url:
        config = Config(database_url=url, log_format="json")
        engine = engine_for(config)
        migrate(engine)
        data = seed(engine, contacts=200)
        statements = Statements()
        event.listen(engine, "before_cursor_execute", statements)
        port = free_port()
        RESULTS.mkdir(exist_ok=True)
        logs = logging_config("json")
        console = {k: v for k, v in logs["handlers"]["console"].items() if k != "stream"}
        filename = str(RESULTS / "profile-server.log")
        logs["handlers"]["console"] = {
            **console,
            "class": "logging.FileHandler",
            "filename": filename,
        }
        server = uvicorn.Server(
            uvicorn.Config(create_app(config, engine=engine), port=port, log_config=logs)
        )
        options = {"line": LINE, **({"reuse": "200"} if contacts == "opted-in" else {})}
        loads: list[http_load.Load] = []

        def drive() -> None:
            while not server.started:
                time.sleep(0.1)
            base = f"http://127.0.0.1:{port}"
            http_load.run(
                base, "outbound", 2, 1, {**options, "run": "1"}, {"CONSENTLINE_BENCH_KEY": data.key}
            )
            statements.on = True
            loads.append(
                http_load.run(
                    base,
                    "outbound",
                    clients,
                    seconds,
                    {**options, "run": "2"},
                    {"CONSENTLINE_BENCH_KEY": data.key},
                )
            )
            statements.on = False
            server.should_exit = True

        driver = threading.Thread(target=drive, name="wrk-driver")  # started before the hook
        driver.start()
        profiles: list[tuple[str, cProfile.Profile]] = []

        def hook(frame: FrameType, name: str, arg: Any) -> None:
            # Called once in each thread started from now on; cProfile then replaces it.
            own = cProfile.Profile(timer)
            profiles.append((threading.current_thread().name, own))
            own.enable()

        main = cProfile.Profile(timer)
        threading.setprofile(hook)
        main.enable()
        try:
            server.run()
        finally:
            main.disable()
            threading.setprofile(None)  # type: ignore[arg-type]
            driver.join()
        engine.dispose()
    [load] = loads
    requests = load.statuses.get(201, 0)
    out.write(f"{kind}: {load.requests} requests in {seconds:.0f} s under the profiler ")
    out.write(f"({load.per_second:.0f}/s, answers {load.statuses}), {clients} clients\n\n")
    for group, counter in sorted(statements.by_group.items()):
        total = sum(counter.values())
        per = requests if group == "request" else max(1, requests)
        out.write(f"SQL statements in {group} threads: {total} ({total / per:.1f} per request)\n")
        for shape, n in counter.most_common(20):
            out.write(f"  {n / per:5.2f}  {shape}\n")
    out.write(f"\nTime by thread ({clock} clock, profiled seconds):\n")
    times: Counter[str] = Counter()
    merged = pstats.Stats(main)
    times["event loop (main thread)"] += pstats.Stats(main).total_tt  # type: ignore[attr-defined]
    for name, own in profiles:
        own.disable()
        stats = pstats.Stats(own)
        group = "request threads" if name.startswith(REQUEST_THREADS) else name
        times[group] += stats.total_tt  # type: ignore[attr-defined]
        merged.add(stats)
    for group, spent in times.most_common():
        out.write(f"  {spent:7.2f} s  {group}\n")
    merged.dump_stats(RESULTS / "outbound.prof")
    listing = io.StringIO()
    merged.stream = listing  # type: ignore[attr-defined]
    merged.sort_stats("cumulative").print_stats(top)
    out.write(listing.getvalue().split("\n\n", 1)[-1])
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("--database", default="sqlite", choices=["sqlite", "postgresql"])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--contacts", default="new", choices=["new", "opted-in"])
    parser.add_argument("--clock", default="cpu", choices=["cpu", "wall"])
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()
    http_load.wrk_binary()
    report = profile(args.database, args.seconds, args.clients, args.contacts, args.clock, args.top)
    sys.stdout.write(report)


if __name__ == "__main__":
    main()
