"""Back pressure: requests beyond the limit wait in line, then get 503 with Retry-After."""

from __future__ import annotations

import anyio
import httpx2 as httpx
from starlette.types import Receive, Scope, Send

from consentline.api.admission import AdmissionMiddleware
from tests.helpers import run_apart


class SlowApp:
    """Answers 200 once ``release`` is set; counts the requests inside at once."""

    def __init__(self) -> None:
        self.release = anyio.Event()
        self.inside = 0
        self.most_inside = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.inside += 1
        self.most_inside = max(self.most_inside, self.inside)
        try:
            if scope["path"] != "/healthz":
                await self.release.wait()
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"ok"})
        finally:
            self.inside -= 1


def _client(app: AdmissionMiddleware) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway")


def test_requests_past_the_limit_wait_for_a_free_slot() -> None:
    async def scenario() -> list[int]:
        inner = SlowApp()
        statuses: list[int] = []
        async with _client(AdmissionMiddleware(inner, limit=2, queue_timeout=5)) as client:

            async def call() -> None:
                statuses.append((await client.get("/api/v1/orgs")).status_code)

            async with anyio.create_task_group() as tasks:
                for _ in range(5):
                    tasks.start_soon(call)
                await anyio.sleep(0.1)
                assert inner.inside == 2  # three wait outside, holding nothing
                inner.release.set()
        assert inner.most_inside == 2
        return statuses

    assert run_apart(anyio.run, scenario) == [200] * 5


def test_a_request_that_waits_too_long_gets_503_with_retry_after() -> None:
    async def scenario() -> None:
        inner = SlowApp()
        async with _client(AdmissionMiddleware(inner, limit=1, queue_timeout=0.2)) as client:
            async with anyio.create_task_group() as tasks:
                tasks.start_soon(client.get, "/api/v1/orgs")
                await anyio.sleep(0.05)
                refused = await client.get("/api/v1/orgs")
                assert refused.status_code == 503
                assert refused.headers["Retry-After"] == "1"
                assert refused.json()["error"]["code"] == "overloaded"
                # Health checks skip the line, so a busy server can still be watched.
                assert (await client.get("/healthz")).status_code == 200
                inner.release.set()
            assert (await client.get("/api/v1/orgs")).status_code == 200  # the slot came back

    run_apart(anyio.run, scenario)
