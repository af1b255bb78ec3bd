"""The README's production layout, end to end: on a fresh PostgreSQL database,
``consentline serve --workers 2`` with ``CONSENTLINE_RUN_WORKER=false`` decides, and a
separate ``consentline worker`` process sends.

Forty messages go through the HTTP API concurrently; every accepted message must reach the
simulator exactly once, the outbox must drain, both server processes must have decided
messages, and nothing may be sent while the separate worker is stopped.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from sqlalchemy import Engine, create_engine, func, select

from consentline.store.db import make_engine
from consentline.store.tables import conversations, outbox, simulator_deliveries
from tests.postgres import PostgresServer

pytestmark = pytest.mark.skipif(
    "postgresql" not in os.environ.get("CONSENTLINE_TEST_DATABASES", "sqlite,postgresql"),
    reason="the production layout needs PostgreSQL (CONSENTLINE_TEST_DATABASES excludes it)",
)

CONSENTLINE = [sys.executable, "-m", "consentline"]
LINE = "+15550301001"
CONTACTS = [f"+1555030{2000 + n}" for n in range(8)]
LATE_CONTACTS = [f"+1555030{3000 + n}" for n in range(4)]
SERVER_PROCESSES = 2
START_TIMEOUT = 45.0
DRAIN_TIMEOUT = 15.0
QUIET_PERIOD = 1.5  # fifteen outbox intervals of a worker: long enough to see a stray send

_database_counter = itertools.count()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(what: str, condition: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)


def _stop(*processes: subprocess.Popen[bytes], timeout: float = 15.0) -> list[int]:
    """SIGTERM to each, then SIGKILL to a process group that lingers; the exit codes."""
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # its own session: only what it started
            process.wait(timeout=timeout)
    return [int(process.returncode) for process in processes]


def _parent_of(pid: int) -> int:
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat.rsplit(")", 1)[1].split()[1])


@dataclass
class Deployment:
    """The running layout: the servers answer on ``base``; workers start on demand."""

    base: str
    env: dict[str, str]
    root: Path
    server: subprocess.Popen[bytes]
    engine: Engine
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def start_worker(self) -> subprocess.Popen[bytes]:
        log = self.root / f"worker-{len(self.workers)}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [*CONSENTLINE, "worker"],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.workers.append(process)
        return process

    def wait_until_running(self, worker: subprocess.Popen[bytes]) -> None:
        log = self.root / f"worker-{self.workers.index(worker)}.log"
        _wait_for(
            "the outbox worker to start",
            lambda: worker.poll() is not None or b"outbox worker running" in log.read_bytes(),
            START_TIMEOUT,
        )
        assert worker.poll() is None, log.read_text()

    def server_log(self) -> str:
        return (self.root / "serve.log").read_text()

    # --- the database, read directly ---------------------------------------------------------

    def outbox_counts(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(outbox.c.status, func.count()).group_by(outbox.c.status))
            return {str(status): int(count) for status, count in rows}

    def pending(self) -> int:
        return self.outbox_counts().get("pending", 0)

    def delivered(self) -> list[tuple[str, str, str]]:
        """Every simulated delivery on the line as (side, contact, body), in order."""
        d = simulator_deliveries
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(d.c.side, d.c.contact, d.c.body)
                .where(d.c.line_number == LINE)
                .order_by(d.c.id)
            )
            return [(str(side), str(contact), str(body)) for side, contact, body in rows]

    def drain(self) -> None:
        _wait_for("the outbox to drain", lambda: self.pending() == 0, DRAIN_TIMEOUT)

    # --- which server processes decided ------------------------------------------------------

    def processes_that_decided(self) -> set[int]:
        """Pids of the server processes that accepted a message (from the JSON access log)."""
        pids = set()
        for line in self.server_log().splitlines():
            if not line.startswith("{"):
                continue
            entry = json.loads(line)
            if entry.get("status") == 201 and "/api/v1/messages/" in entry["message"]:
                pids.add(int(entry["pid"]))
        return pids


@pytest.fixture(scope="session")
def bytecode_cache(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """Compiled modules for the subprocesses, kept between runs in pytest's cache directory.

    Each subprocess imports the whole application; under PYTHONDONTWRITEBYTECODE it would
    compile every module again, seconds per process. A prefix writes nothing beside sources.
    """
    cache = getattr(request.config, "cache", None)
    if cache is not None:
        return Path(cache.mkdir("consentline-pycache"))
    return tmp_path_factory.mktemp("pycache")


@pytest.fixture
def deployment(
    postgres: PostgresServer, tmp_path: Path, bytecode_cache: Path
) -> Iterator[Deployment]:
    # A fresh, empty database: ``serve`` migrates it once before it forks.
    name = f"deploy_{os.getpid()}_{next(_database_counter)}"
    admin = create_engine(postgres.url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    admin.dispose()
    url = postgres.url(name)
    (tmp_path / "metrics").mkdir()
    env = {
        **{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
        "PYTHONPYCACHEPREFIX": str(bytecode_cache),
        "CONSENTLINE_DATABASE_URL": url,
        "CONSENTLINE_ENVIRONMENT": "production",
        "CONSENTLINE_SECRET_KEY": secrets.token_urlsafe(48),
        "CONSENTLINE_RUN_WORKER": "false",
        "CONSENTLINE_OUTBOX_INTERVAL": "0.1",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
    }
    port = _free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [*CONSENTLINE, "serve", "--port", str(port), "--workers", str(SERVER_PROCESSES)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    engine = make_engine(url)
    found = Deployment(f"http://127.0.0.1:{port}", env, tmp_path, server, engine)
    try:
        _wait_for(
            "both server processes to start",
            lambda: (
                server.poll() is not None
                or log.read_text().count("Application startup complete") >= SERVER_PROCESSES
            ),
            START_TIMEOUT,
        )
        assert server.poll() is None, log.read_text()
        yield found
    finally:
        try:
            _stop(*found.workers, server)
        finally:
            engine.dispose()


# --- the API, as a client speaks it -----------------------------------------------------------


def _call(base: str, key: str, method: str, path: str, expect: int, **kwargs: Any) -> Any:
    # A new connection per request, so that the kernel may hand each to either server process.
    with httpx.Client(base_url=base, timeout=30) as client:
        answer = client.request(method, path, headers={"Authorization": f"Bearer {key}"}, **kwargs)
    assert answer.status_code == expect, (method, path, answer.status_code, answer.text)
    return answer.json()


def _concurrently(calls: list[Callable[[], Any]]) -> list[Any]:
    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(lambda call: call(), calls))


def _bootstrap(deployment: Deployment) -> str:
    """The operator's key, from ``consentline bootstrap`` as an operator runs it."""
    result = subprocess.run(
        [*CONSENTLINE, "bootstrap"],
        env=deployment.env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return str(json.loads(result.stdout.strip().splitlines()[-1])["operator_api_key"])


def _tenant(base: str, operator: str) -> str:
    """An organization in consent mode with one line; its key with every privilege."""
    org = _call(base, operator, "POST", "/api/v1/orgs", 201, json={"name": "Northwind Bank"})
    org_path = f"/api/v1/orgs/{org['id']}"
    _call(base, operator, "PUT", f"{org_path}/entitlements", 200, json={"sms_optin": True})
    privileges = {"name": "all", "privileges": ["setup", "reports", "messaging"]}
    key = _call(base, operator, "POST", f"{org_path}/api-keys", 201, json=privileges)["key"]
    line = {"number": LINE, "employee_name": "Ada Lovelace"}
    _call(base, key, "POST", f"{org_path}/lines", 201, json=line)
    settings = {"sms_optin": {"enabled": True, "mode": "consent"}}
    _call(base, key, "PATCH", f"{org_path}/settings", 200, json=settings)
    return str(key)


def _inbound(base: str, key: str, contact: str, body: str) -> Callable[[], Any]:
    payload = {"from": contact, "line": LINE, "body": body}
    return lambda: _call(base, key, "POST", "/api/v1/messages/inbound", 201, json=payload)


def _outbound(base: str, key: str, contact: str, body: str) -> Callable[[], Any]:
    payload = {"line": LINE, "to": contact, "body": body}
    return lambda: _call(base, key, "POST", "/api/v1/messages/outbound", 201, json=payload)


def _hello(contact: str) -> str:
    return f"Hi Ada, {contact} here"


def test_servers_decide_and_only_the_separate_worker_sends(deployment: Deployment) -> None:
    base = deployment.base
    assert httpx.get(f"{base}/readyz").json() == {"status": "ready"}
    worker = deployment.start_worker()  # its start-up overlaps the bootstrap's
    key = _tenant(base, _bootstrap(deployment))
    deployment.wait_until_running(worker)

    # 40 messages, concurrently: each contact's first text, its YES, then 3 texts to it.
    first = _concurrently([_inbound(base, key, c, _hello(c)) for c in CONTACTS])
    assert {(a["status"], a["consent"]["state"]) for a in first} == {("held", "pending")}
    yes = _concurrently([_inbound(base, key, c, "YES") for c in CONTACTS])
    assert {(a["status"], a["consent"]["state"]) for a in yes} == {("keyword", "opted_in")}
    texts = [(c, f"Note {n} for {c}") for c in CONTACTS for n in range(3)]
    sent = _concurrently([_outbound(base, key, c, body) for c, body in texts])
    assert {a["status"] for a in sent} == {"delivered"}
    assert len(first) + len(yes) + len(sent) == 40

    deployment.drain()
    counts = deployment.outbox_counts()
    assert set(counts) == {"sent"}, counts  # nothing pending, nothing dead
    delivered = deployment.delivered()
    assert len(delivered) == counts["sent"]
    for contact in CONTACTS:
        assert delivered.count(("employee", contact, _hello(contact))) == 1, contact
    for contact, body in texts:
        assert delivered.count(("contact", contact, body)) == 1, (contact, body)

    # The worker stopped: the servers still decide, but nothing is sent ...
    assert _stop(worker) == [0]
    before = len(delivered)
    later = [(c, f"While the worker is down, {c}") for c in CONTACTS]
    answers = _concurrently(
        [_outbound(base, key, c, body) for c, body in later]
        + [_inbound(base, key, c, _hello(c)) for c in LATE_CONTACTS]
    )
    assert [a["status"] for a in answers] == ["delivered"] * len(later) + ["held"] * len(
        LATE_CONTACTS
    )
    time.sleep(QUIET_PERIOD)
    assert len(deployment.delivered()) == before
    # each text, and each new contact's opt-in request and the employee's notice of it
    assert deployment.pending() == len(later) + 2 * len(LATE_CONTACTS)

    # ... until a worker runs again; then each is sent once.
    deployment.wait_until_running(deployment.start_worker())
    deployment.drain()
    assert set(deployment.outbox_counts()) == {"sent"}
    delivered = deployment.delivered()
    assert len(delivered) == before + len(later) + 2 * len(LATE_CONTACTS)
    for contact, body in later:
        assert delivered.count(("contact", contact, body)) == 1, (contact, body)
    for contact in LATE_CONTACTS:
        sides = sorted(side for side, to, _body in delivered if to == contact)
        assert sides == ["contact", "employee"], contact

    # Both server processes decided messages; they are the ones ``serve`` started.
    log = deployment.server_log()
    started = {int(pid) for pid in re.findall(r"Started server process \[(\d+)\]", log)}
    assert len(started) == SERVER_PROCESSES, log
    assert deployment.processes_that_decided() == started
    assert {_parent_of(pid) for pid in started} == {deployment.server.pid}


BURST = 240  # each server process has 40 threads and 50 connections


def test_a_burst_past_the_thread_and_connection_pools_is_answered(
    deployment: Deployment,
) -> None:
    """More requests at once than the servers have threads and database connections: each
    waits its turn and is answered, none stalls on a pool the others hold."""
    key = _tenant(deployment.base, _bootstrap(deployment))
    contacts = [f"+1555040{n:04d}" for n in range(BURST)]

    async def burst() -> list[int]:
        limits = httpx.Limits(max_connections=BURST)
        async with httpx.AsyncClient(base_url=deployment.base, limits=limits, timeout=30) as c:

            async def text(contact: str) -> int:
                payload = {"from": contact, "line": LINE, "body": _hello(contact)}
                answer = await c.post(
                    "/api/v1/messages/inbound",
                    json=payload,
                    headers={"Authorization": f"Bearer {key}"},
                )
                return answer.status_code

            return list(await asyncio.gather(*(text(contact) for contact in contacts)))

    assert asyncio.run(burst()) == [201] * BURST
    with deployment.engine.connect() as conn:
        held = conn.execute(select(func.count()).select_from(conversations)).scalar_one()
    assert held == BURST
