"""What the fault tests share: a ConsentLine server process, a steady load of sends through
its HTTP API, and the checks every fault must pass afterwards.

The load is outbound texts with unique bodies, on an organization whose opt-in is off (each
one goes out at once). After a fault each test asserts: no 5xx but 503, every acknowledged
text stored, each sent exactly once, the archive chain intact, recovery within a bound.
The figures go to stdout and, when CONSENTLINE_FAULT_FIGURES names a file, into it as JSON
lines.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx2 as httpx
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from consentline.app import create_app
from consentline.config import Config
from consentline.service import orgs as org_service
from consentline.service.archive_verify import verify
from consentline.service.unit_of_work import UnitOfWork
from consentline.store.tables import messages, outbox, simulator_deliveries
from tests.helpers import Api, FakeClock, Tenant

CONSENTLINE = [sys.executable, "-m", "consentline"]
LINE = "+15550401001"
CONTACTS = [f"+1555040{2000 + n}" for n in range(6)]
SENDERS = 4
# Short timeouts, so that a fault test sees the answers it waits for in seconds.
TIMEOUTS = {
    "CONSENTLINE_DATABASE_CONNECT_TIMEOUT": "2",
    "CONSENTLINE_DATABASE_STATEMENT_TIMEOUT": "2",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(condition: Callable[[], bool], timeout: float) -> float | None:
    """Seconds until ``condition`` held, or None when it did not within ``timeout``."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if condition():
            return time.monotonic() - started
        time.sleep(0.05)
    return None


def tenant_on(engine: Engine, database_url: str) -> Tenant:
    """An organization whose texts go out at once (opt-in off), made through the API."""
    clock = FakeClock()
    with UnitOfWork(engine) as uow:
        operator = org_service.create_operator_key(uow, "operator", clock())
        uow.commit()
    app = create_app(Config(database_url=database_url), engine=engine, run_worker=False)
    with TestClient(app) as client:
        return Api(client, engine, clock, operator).tenant(line=LINE, enabled=False)


@dataclass
class Server:
    """``consentline serve`` (with its outbox worker) as a process of its own."""

    database_url: str
    root: Path
    env_extra: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None
    port: int = field(default_factory=free_port)
    starts: int = 0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.root / "serve.log"

    def start(self, timeout: float = 60.0) -> None:
        env = {
            **os.environ,
            "CONSENTLINE_DATABASE_URL": self.database_url,
            "CONSENTLINE_OUTBOX_INTERVAL": "0.1",
            "CONSENTLINE_OUTBOX_LEASE_SECONDS": "5",
            "CONSENTLINE_QUEUE_TIMEOUT": "10",
            **TIMEOUTS,
            **self.env_extra,
        }
        with self.log_path.open("ab") as out:
            self.process = subprocess.Popen(
                [*CONSENTLINE, "serve", "--port", str(self.port)],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.starts += 1

        def up() -> bool:
            assert self.process is not None
            assert self.process.poll() is None, self.log()
            try:
                return httpx.get(f"{self.base}/healthz", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        assert wait_for(up, timeout) is not None, self.log()

    def kill(self) -> None:
        """SIGKILL the server and everything it started (its own session)."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


@dataclass
class Answer:
    body: str
    status: int  # 0: no answer at all (connection refused or reset: the server was down)
    started: float
    seconds: float


class Load:
    """SENDERS threads sending texts with unique bodies until ``stop``."""

    def __init__(self, base: str, tenant: Tenant, timeout: float = 30.0) -> None:
        self.base = base
        self.tenant = tenant
        self.timeout = timeout
        self.answers: list[Answer] = []
        self._numbers = itertools.count()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._send_until_stopped) for _ in range(SENDERS)]

    def __enter__(self) -> Load:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=self.timeout + 10)

    def _send_until_stopped(self) -> None:
        headers = {"Authorization": f"Bearer {self.tenant.key}"}
        while not self._stop.is_set():
            with self._lock:
                number = next(self._numbers)
            body = f"fault text {number}"
            payload = {"line": LINE, "to": CONTACTS[number % len(CONTACTS)], "body": body}
            started = time.monotonic()
            try:
                # A connection per request: a killed server must not strand a kept-alive one.
                with httpx.Client(base_url=self.base, timeout=self.timeout) as client:
                    answer = client.post("/api/v1/messages/outbound", json=payload, headers=headers)
                status = answer.status_code
                if status == 503:
                    assert answer.headers.get("Retry-After"), answer.headers
                    assert answer.json()["error"]["code"], answer.text
            except httpx.HTTPError:
                status = 0
                time.sleep(0.05)
            with self._lock:
                self.answers.append(Answer(body, status, started, time.monotonic() - started))

    def count(self, status: int) -> int:
        with self._lock:
            return sum(1 for a in self.answers if a.status == status)

    def acknowledged(self) -> list[str]:
        with self._lock:
            return [a.body for a in self.answers if a.status == 201]

    def first_success_after(self, moment: float) -> float | None:
        with self._lock:
            done = [a.started + a.seconds for a in self.answers if a.status == 201]
        later = [at for at in done if at >= moment]
        return min(later) - moment if later else None

    def statuses(self) -> Counter[int]:
        with self._lock:
            return Counter(a.status for a in self.answers)


@dataclass
class Figures:
    fault: str
    database: str
    requests: int
    acknowledged: int
    lost: int
    sent_twice: int
    unsent: int
    answers_503: int
    answers_5xx_other: int
    no_answer: int
    recovery_seconds: float | None
    slowest_answer_seconds: float
    archive_intact: bool
    extra: dict[str, Any] = field(default_factory=dict)


def outcome(
    fault: str,
    database: str,
    engine: Engine,
    load: Load,
    recovery: float | None,
    drain: float,
    **extra: Any,
) -> Figures:
    """Wait for the outbox to drain, then count what was lost, unsent and sent twice."""

    def pending() -> int:
        with engine.connect() as conn:
            query = select(func.count()).select_from(outbox).where(outbox.c.status == "pending")
            return int(conn.execute(query).scalar_one())

    wait_for(lambda: pending() == 0, drain)
    acknowledged = set(load.acknowledged())
    with engine.connect() as conn:
        stored = {
            str(body)
            for (body,) in conn.execute(
                select(messages.c.body).where(messages.c.body.like("fault text %"))
            )
        }
        sent = Counter(
            str(body)
            for (body,) in conn.execute(
                select(simulator_deliveries.c.body).where(
                    simulator_deliveries.c.body.like("fault text %")
                )
            )
        )
    statuses = load.statuses()
    result = verify(engine)
    figures = Figures(
        fault=fault,
        database=database,
        requests=sum(statuses.values()),
        acknowledged=len(acknowledged),
        lost=len(acknowledged - stored),
        sent_twice=sum(1 for count in sent.values() if count > 1),
        unsent=len(acknowledged - set(sent)),
        answers_503=statuses[503],
        answers_5xx_other=sum(n for s, n in statuses.items() if s >= 500 and s != 503),
        no_answer=statuses[0],
        recovery_seconds=None if recovery is None else round(recovery, 2),
        slowest_answer_seconds=round(max((a.seconds for a in load.answers), default=0.0), 2),
        archive_intact=result.problem is None,
        extra=extra,
    )
    report(figures)
    return figures


def report(figures: Figures) -> None:
    line = json.dumps(asdict(figures))
    print(f"FAULT FIGURES {line}")
    target = os.environ.get("CONSENTLINE_FAULT_FIGURES")
    if target:
        with open(target, "a", encoding="utf-8") as out:
            out.write(line + "\n")


def assert_failed_well(figures: Figures, recovery_bound: float) -> None:
    assert figures.answers_5xx_other == 0, figures
    assert figures.acknowledged > 0, figures
    assert figures.lost == 0, figures
    assert figures.sent_twice == 0, figures
    assert figures.unsent == 0, figures
    assert figures.archive_intact, figures
    assert figures.recovery_seconds is not None, figures
    assert figures.recovery_seconds <= recovery_bound, figures


def statuses_of(log_text: str) -> Iterator[int]:
    for line in log_text.splitlines():
        if line.startswith("{"):
            status = json.loads(line).get("status")
            if isinstance(status, int):
                yield status


def assert_log_keeps_secrets(log_text: str, secrets: list[str]) -> None:
    """No line of the log holds a whole phone number, a body, an email, a key, or a hash."""
    assert log_text.strip(), "the server logged nothing"
    for line in log_text.splitlines():
        for secret in secrets:
            assert secret not in line, (secret, line)
        assert "$argon2" not in line, line
        assert "[parameters:" not in line, line


def secrets_of(tenant: Tenant, *bodies: str) -> list[str]:
    """What must never be logged, for a tenant of these tests: its key, the key's hash, the
    numbers (with and without +), and the bodies given."""
    numbers = [LINE, *CONTACTS]
    return [
        tenant.key,
        hashlib.sha256(tenant.key.encode()).hexdigest(),
        *numbers,
        *(n.lstrip("+") for n in numbers),
        *bodies,
    ]
