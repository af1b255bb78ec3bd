"""A stand-in for an organization's employee app: receives and verifies signed callbacks."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from consentline.providers.employee_app import verify
from tests.standins.base import JsonHandler, StandIn


@dataclass
class AppState:
    secret: str
    received: list[dict[str, Any]] = field(default_factory=list)
    refused: int = 0
    deliveries: set[str] = field(default_factory=set)
    failures: int = 0


class _Handler(JsonHandler):
    def do_POST(self) -> None:  # noqa: N802
        state: AppState = self.stand_in.state
        raw = self.body()
        timestamp = self.headers.get("X-ConsentLine-Timestamp", "")
        signature = self.headers.get("X-ConsentLine-Signature", "")
        with self.stand_in.lock:
            if not verify(state.secret, timestamp, raw, signature):
                state.refused += 1
                self.answer(401, {"error": "bad signature"})
                return
            if state.failures:
                state.failures -= 1
                self.answer(503, {"error": "busy"})
                return
            delivery = self.headers.get("X-ConsentLine-Delivery", "")
            if delivery not in state.deliveries:  # the app keeps each delivery once
                state.deliveries.add(delivery)
                state.received.append(json.loads(raw))
        self.answer(200, {"ok": True})


class EmployeeAppStandIn(StandIn):
    def __init__(self, secret: str) -> None:
        super().__init__(_Handler)
        self.state = AppState(secret)

    def bodies(self) -> list[str]:
        with self.lock:
            return [str(m["body"]) for m in self.state.received]
