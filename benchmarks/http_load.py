"""HTTP load from ``wrk`` (Debian's package), driven by ``benchmarks/wrk/consentline.lua``.

wrk is an event-loop client in C: at the concurrencies measured here it costs a small
fraction of what the server does, so the figures are the server's, not the client's.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCRIPT = Path(__file__).with_name("wrk") / "consentline.lua"
MARKER = "CONSENTLINE_WRK "
LATENCIES = ("p50", "p90", "p99", "max", "mean")
MISSING = "error: wrk is not installed; install it with `apt install wrk` (see docs/performance.md)"


def wrk_binary() -> str:
    """The wrk executable, or exit with the one line that says how to get it."""
    found = shutil.which("wrk")
    if found is None:
        raise SystemExit(MISSING)
    return found


@dataclass(frozen=True)
class Load:
    """One wrk run: C connections, each sending its next request when the answer arrives."""

    clients: int
    requests: int
    per_second: float
    statuses: dict[int, int]
    socket_errors: dict[str, int]
    latency_ms: dict[str, float]
    samples: dict[int, str]  # the first answer of each status other than 200 and 201

    def errors(self, expect: int) -> int:
        """Answers other than ``expect``, and connections that failed or timed out."""
        wrong = sum(n for status, n in self.statuses.items() if status != expect)
        return wrong + sum(self.socket_errors.values())

    def summary(self, expect: int) -> dict[str, Any]:
        return {
            "clients": self.clients,
            "requests": self.requests,
            "per_second": round(self.per_second, 1),
            "errors": self.errors(expect),
            "statuses": {str(status): n for status, n in sorted(self.statuses.items())},
            **{f"{name}_ms": round(self.latency_ms[name], 2) for name in LATENCIES},
            "samples": {str(status): body for status, body in sorted(self.samples.items())},
        }


def run(
    base_url: str,
    mode: str,
    clients: int,
    seconds: float,
    options: dict[str, str] | None = None,
    secrets: dict[str, str] | None = None,
) -> Load:
    """Run wrk against ``base_url`` in one of the script's modes for whole seconds.

    ``options`` go to the script as ``name=value`` arguments; ``secrets`` (the API key, the
    Twilio auth token) as environment variables, so that they stay out of process lists.
    """
    command = [
        wrk_binary(),
        f"--threads={min(clients, 2)}",  # two cores: one event loop per core is plenty
        f"--connections={clients}",
        f"--duration={max(1, math.ceil(seconds))}s",
        "--timeout=30s",  # longer than any answer: a slow answer is a latency, not an error
        f"--script={SCRIPT}",
        base_url,
        "--",
        mode,
        *(f"{name}={value}" for name, value in (options or {}).items()),
    ]
    finished = subprocess.run(
        command,
        capture_output=True,
        text=True,
        errors="replace",
        env={**os.environ, **(secrets or {})},
        timeout=seconds + 120,
        check=False,
    )
    for line in finished.stdout.splitlines():
        if line.startswith(MARKER):
            return parse(clients, line[len(MARKER) :])
    raise RuntimeError(f"wrk printed no figures:\n{finished.stdout}\n{finished.stderr}")


def parse(clients: int, text: str) -> Load:
    raw = json.loads(text)
    return Load(
        clients=clients,
        requests=int(raw["requests"]),
        per_second=float(raw["per_second"]),
        statuses={int(status): int(n) for status, n in raw["statuses"].items()},
        socket_errors={
            name: int(n) for name, n in raw["socket_errors"].items() if name != "status"
        },
        latency_ms={name: float(value) for name, value in raw["latency_ms"].items()},
        samples={int(status): str(body) for status, body in raw["samples"].items()},
    )
