"""The employee side through the organization's own app: signed HTTP callbacks.

Each message is ``POST``ed as JSON to the app's URL with three headers:

- ``X-ConsentLine-Timestamp``: seconds since the epoch when it was signed;
- ``X-ConsentLine-Signature``: ``v1=`` and the hex HMAC-SHA256, keyed with the
  organization's signing secret, of ``"<timestamp>.<raw body>"``;
- ``X-ConsentLine-Delivery``: the outbox id, the same on every retry of one message, so the
  app keeps each delivery once (which makes retries safe).

The app answers 2xx to accept; 408, 429 and 5xx are retried with backoff, any other answer
is final (a dead letter).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable

from consentline.service.sending import SendError
from consentline.store.outbox import OutboxItem

SIGNATURE_VERSION = "v1"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"{SIGNATURE_VERSION}={digest.hexdigest()}"


def verify(
    secret: str, timestamp: str, body: bytes, signature: str, *, tolerance: int = 300
) -> bool:
    """What the app does with a callback (the README shows the same in a few lines)."""
    try:
        age = abs(time.time() - int(timestamp))
    except ValueError:
        return False
    return age <= tolerance and hmac.compare_digest(sign(secret, timestamp, body), signature)


class EmployeeAppProvider:
    name = "employee_app"
    idempotent = True  # the app keeps each X-ConsentLine-Delivery once

    def __init__(
        self,
        url: str,
        secret: str,
        *,
        timeout: float = 15.0,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self._url = url
        self._secret = secret
        self._timeout = timeout
        self._wall_clock = wall_clock

    def body(self, item: OutboxItem) -> bytes:
        return json.dumps(
            {
                "id": item.id,
                "message_id": item.message_id,
                "line": item.line_number,
                "contact": item.contact,
                "channel": item.channel,
                "kind": item.kind,
                "template": item.template,
                "body": item.body,
            },
            separators=(",", ":"),
        ).encode()

    def send(self, item: OutboxItem) -> str | None:
        body = self.body(item)
        timestamp = str(int(self._wall_clock()))
        request = urllib.request.Request(  # noqa: S310 (the organization's own https URL)
            self._url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "X-ConsentLine-Timestamp": timestamp,
                "X-ConsentLine-Signature": sign(self._secret, timestamp, body),
                "X-ConsentLine-Delivery": str(item.id),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self._timeout):  # noqa: S310
                pass
        except urllib.error.HTTPError as error:
            retryable = error.code in (408, 429) or error.code >= 500
            raise SendError(
                f"The employee app answered HTTP {error.code}.",
                code=f"http_{error.code}",
                retryable=retryable,
            ) from None
        except OSError as error:
            raise SendError(
                f"The employee app could not be reached: {type(error).__name__}",
                code="network",
                in_doubt=True,
            ) from None
        return f"app-{item.id}"
