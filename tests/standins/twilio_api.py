"""A local stand-in for Twilio's REST API (Messages), speaking its wire format.

``POST /2010-04-01/Accounts/{AccountSid}/Messages.json`` (form-encoded, HTTP basic auth with
the account SID and auth token) answers 201 with the Message resource as JSON;
``GET`` on the same path lists messages newest first, filtered by ``To`` and ``From``.
Errors are Twilio's JSON bodies: ``{code, message, more_info, status}``.
"""

from __future__ import annotations

import base64
import re
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.standins.base import JsonHandler, StandIn

_MESSAGES = re.compile(r"^/2010-04-01/Accounts/(AC[0-9a-zA-Z]+)/Messages\.json$")


@dataclass
class TwilioMessage:
    sid: str
    account_sid: str
    to: str
    from_: str
    body: str
    status_callback: str | None
    created: datetime

    def resource(self) -> dict[str, Any]:
        stamp = format_datetime(self.created)
        return {
            "account_sid": self.account_sid,
            "api_version": "2010-04-01",
            "body": self.body,
            "date_created": stamp,
            "date_sent": None,
            "date_updated": stamp,
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": self.from_,
            "messaging_service_sid": None,
            "num_media": "0",
            "num_segments": "1",
            "price": None,
            "price_unit": "USD",
            "sid": self.sid,
            "status": "queued",
            "subresource_uris": {
                "media": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{self.sid}/Media.json"
            },
            "to": self.to,
            "uri": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{self.sid}.json",
        }


def twilio_error(code: int, message: str, status: int) -> dict[str, Any]:
    return {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


@dataclass
class TwilioState:
    accounts: dict[str, str]
    """account SID -> auth token"""
    messages: list[TwilioMessage] = field(default_factory=list)
    unsubscribed: set[str] = field(default_factory=set)
    """Numbers that texted STOP to Twilio: sends to them fail with 21610."""
    failures: int = 0
    """The next N creates answer 500."""
    delay: float = 0.0
    """Seconds to wait after creating a message, before answering."""


class _Handler(JsonHandler):
    def _account(self) -> str | None:
        match = _MESSAGES.match(urlsplit(self.path).path)
        state: TwilioState = self.stand_in.state
        if match is None:
            self.answer(404, twilio_error(20404, "The requested resource was not found", 404))
            return None
        sid = match.group(1)
        scheme, _, encoded = self.headers.get("Authorization", "").partition(" ")
        try:
            user, _, password = base64.b64decode(encoded).decode().partition(":")
        except ValueError:
            user = password = ""
        if scheme != "Basic" or user != sid or state.accounts.get(sid) != password:
            self.answer(401, twilio_error(20003, "Authenticate", 401))
            return None
        return sid

    def do_POST(self) -> None:  # noqa: N802
        sid = self._account()
        if sid is None:
            return
        form = {k: v[0] for k, v in parse_qs(self.body().decode(), keep_blank_values=True).items()}
        state: TwilioState = self.stand_in.state
        with self.stand_in.lock:
            if not form.get("To") or not (form.get("From") or form.get("MessagingServiceSid")):
                self.answer(400, twilio_error(21604, "A 'To' phone number is required.", 400))
                return
            if form["To"] in state.unsubscribed:
                self.answer(
                    400, twilio_error(21610, "Attempt to send to unsubscribed recipient", 400)
                )
                return
            if state.failures:
                state.failures -= 1
                self.answer(500, twilio_error(20500, "Internal Server Error", 500))
                return
            message = TwilioMessage(
                "SM" + uuid.uuid4().hex,
                sid,
                form["To"],
                form.get("From", ""),
                form.get("Body", ""),
                form.get("StatusCallback"),
                datetime.now(UTC).replace(microsecond=0),
            )
            state.messages.append(message)
        if state.delay:
            time.sleep(state.delay)
        self.answer(201, message.resource())

    def do_GET(self) -> None:  # noqa: N802
        sid = self._account()
        if sid is None:
            return
        query = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
        state: TwilioState = self.stand_in.state
        with self.stand_in.lock:
            found = [
                m
                for m in reversed(state.messages)
                if m.account_sid == sid
                and query.get("To", m.to) == m.to
                and query.get("From", m.from_) == m.from_
            ]
        size = int(query.get("PageSize", 50))
        path = f"/2010-04-01/Accounts/{sid}/Messages.json"
        self.answer(
            200,
            {
                "messages": [m.resource() for m in found[:size]],
                "end": min(size, len(found)) - 1,
                "first_page_uri": f"{path}?PageSize={size}&Page=0",
                "next_page_uri": None,
                "page": 0,
                "page_size": size,
                "previous_page_uri": None,
                "start": 0,
                "uri": f"{path}?PageSize={size}&Page=0",
            },
        )


class TwilioStandIn(StandIn):
    def __init__(self, accounts: dict[str, str]) -> None:
        super().__init__(_Handler)
        self.state = TwilioState(accounts)

    def bodies(self) -> list[str]:
        with self.lock:
            return [m.body for m in self.state.messages]

    def sent(self) -> list[TwilioMessage]:
        with self.lock:
            return list(self.state.messages)
