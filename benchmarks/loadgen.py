"""A small closed-loop HTTP/1.1 load generator: C keep-alive connections, each sending its
next request as soon as the previous answer arrives, for a fixed time.

Plain asyncio streams rather than an HTTP client library, so that the client costs as
little CPU as possible on a machine it shares with the server it measures.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

RequestFactory = Callable[[int], bytes]


@dataclass(frozen=True)
class LoadResult:
    clients: int
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, fraction: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]

    def summary(self) -> dict[str, float]:
        return {
            "clients": self.clients,
            "requests": self.requests,
            "errors": self.errors,
            "per_second": round(self.per_second, 1),
            "p50_ms": round(self.percentile(0.50), 2),
            "p95_ms": round(self.percentile(0.95), 2),
            "p99_ms": round(self.percentile(0.99), 2),
            "mean_ms": round(statistics.fmean(self.latencies_ms), 2) if self.latencies_ms else 0,
        }


def get(path: str) -> RequestFactory:
    raw = f"GET {path} HTTP/1.1\r\nHost: bench\r\n\r\n".encode()
    return lambda _n: raw


def post_json(path: str, key: str, body_for: Callable[[int], dict[str, object]]) -> RequestFactory:
    def build(n: int) -> bytes:
        body = json.dumps(body_for(n)).encode()
        head = (
            f"POST {path} HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer {key}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        return head.encode() + body

    return build


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    if length:
        await reader.readexactly(length)
    return status


async def _client(
    host: str,
    port: int,
    factory: RequestFactory,
    counter: itertools.count[int],
    deadline: float,
    latencies: list[float],
    errors: list[int],
    expect: tuple[int, ...],
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while time.perf_counter() < deadline:
            request = factory(next(counter))
            started = time.perf_counter()
            writer.write(request)
            status = await _read_response(reader)
            latencies.append((time.perf_counter() - started) * 1000)
            if status not in expect:
                errors.append(status)
    finally:
        writer.close()


async def _run(
    host: str,
    port: int,
    factory: RequestFactory,
    clients: int,
    seconds: float,
    expect: tuple[int, ...],
) -> LoadResult:
    latencies: list[float] = []
    errors: list[int] = []
    counter = itertools.count()
    started = time.perf_counter()
    deadline = started + seconds
    await asyncio.gather(
        *(
            _client(host, port, factory, counter, deadline, latencies, errors, expect)
            for _ in range(clients)
        )
    )
    elapsed = time.perf_counter() - started
    return LoadResult(clients, len(latencies), len(errors), elapsed, latencies)


def run_load(
    host: str,
    port: int,
    factory: RequestFactory,
    clients: int,
    seconds: float,
    expect: tuple[int, ...] = (200, 201),
) -> LoadResult:
    return asyncio.run(_run(host, port, factory, clients, seconds, expect))
