"""A local stand-in for Meta's Graph API (WhatsApp Cloud API messages).

``POST /{version}/{phone-number-id}/messages`` with ``Authorization: Bearer <token>`` and a
JSON body answers ``{messaging_product, contacts: [{input, wa_id}], messages: [{id}]}``;
errors are Graph's ``{"error": {message, type, code, error_data, fbtrace_id}}``.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from tests.standins.base import JsonHandler, StandIn

_MESSAGES = re.compile(r"^/(v\d+\.\d+)/(\d+)/messages$")


def graph_error(code: int, message: str, kind: str = "OAuthException") -> dict[str, Any]:
    return {
        "error": {
            "message": message,
            "type": kind,
            "code": code,
            "error_data": {"messaging_product": "whatsapp", "details": message},
            "fbtrace_id": uuid.uuid4().hex[:20],
        }
    }


@dataclass
class GraphState:
    tokens: dict[str, str]
    """phone number id -> access token"""
    requests: list[dict[str, Any]] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    """recipient (digits) -> Graph error code to answer for sends to them"""


class _Handler(JsonHandler):
    def do_POST(self) -> None:  # noqa: N802
        state: GraphState = self.stand_in.state
        match = _MESSAGES.match(self.path)
        if match is None:
            self.answer(400, graph_error(100, "Unsupported post request.", "GraphMethodException"))
            return
        phone_number_id = match.group(2)
        if self.headers.get("Authorization") != f"Bearer {state.tokens.get(phone_number_id)}":
            self.answer(401, graph_error(190, "Invalid OAuth access token."))
            return
        try:
            payload = json.loads(self.body())
        except ValueError:
            self.answer(400, graph_error(100, "Invalid parameter"))
            return
        # A business-scoped user id goes in "recipient" instead of "to".
        recipient = str(payload.get("to") or payload.get("recipient") or "")
        with self.stand_in.lock:
            code = state.errors.get(recipient)
            if code is not None:
                self.answer(400, graph_error(code, f"(#{code}) Message failed to send"))
                return
            message_id = "wamid." + uuid.uuid4().hex
            state.requests.append({"phone_number_id": phone_number_id, "id": message_id, **payload})
        self.answer(
            200,
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": recipient, "wa_id": recipient}],
                "messages": [{"id": message_id}],
            },
        )


class GraphStandIn(StandIn):
    def __init__(self, tokens: dict[str, str]) -> None:
        super().__init__(_Handler)
        self.state = GraphState(tokens)

    def sent(self) -> list[dict[str, Any]]:
        with self.lock:
            return list(self.state.requests)
