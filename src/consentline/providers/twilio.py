"""Twilio Programmable Messaging: outbound through the official ``twilio`` client.

Sends carry a status callback URL that names the outbox item
(``/webhooks/twilio/status?outbox=<id>``), so Twilio's delivery reports find their item even
when they arrive before the worker recorded the send. ``find_sent`` looks an in-doubt item up
at Twilio (messages from the line to the contact with the same body, created since the
earlier attempt began) so a retry after a crash does not text the contact twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from twilio.base.exceptions import (  # type: ignore[import-untyped]
    TwilioException,
    TwilioRestException,
)
from twilio.http.http_client import TwilioHttpClient  # type: ignore[import-untyped]
from twilio.http.response import Response  # type: ignore[import-untyped]
from twilio.rest import Client  # type: ignore[import-untyped]

from consentline.domain.carrier_codes import TWILIO_OPTED_OUT
from consentline.domain.carriers import TwilioAccount
from consentline.service.sending import SendError
from consentline.store.outbox import OutboxItem

# The client logs request bodies (numbers and texts) at INFO: keep them out of the logs.
logging.getLogger("twilio.http_client").setLevel(logging.WARNING)

TWILIO_API = "https://api.twilio.com"
# Errors that will not change on a retry: bad numbers, not a mobile number, blocked, etc.
PERMANENT = {21211, 21214, 21408, 21610, 21612, 21614, 30003, 30004, 30005, 30006, 30007}


class RedirectingHttpClient(TwilioHttpClient):  # type: ignore[misc]
    """The client's documented ``http_client`` hook, pointed at another base URL.

    Used for the local Twilio stand-in in tests (and a proxy, if one is ever needed); with
    no base URL it is the stock client.
    """

    def __init__(self, base_url: str | None = None, timeout: float | None = None) -> None:
        super().__init__(timeout=timeout)
        self._base = base_url.rstrip("/") if base_url else None

    def request(
        self,
        method: str,
        url: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,
        allow_redirects: bool = False,
    ) -> Response:
        if self._base:
            parts = urlsplit(url)
            url = self._base + parts.path + (f"?{parts.query}" if parts.query else "")
        return super().request(method, url, params, data, headers, auth, timeout, allow_redirects)


class TwilioProvider:
    name = "twilio"

    def __init__(
        self,
        account: TwilioAccount,
        *,
        public_url: str | None = None,
        api_base: str | None = None,
        timeout: float = 15.0,
        is_recorded: Callable[[str], bool] = lambda _sid: False,
    ) -> None:
        self._client = Client(
            account.account_sid,
            account.auth_token,
            http_client=RedirectingHttpClient(api_base, timeout),
        )
        self._public_url = public_url.rstrip("/") if public_url else None
        self._is_recorded = is_recorded

    def status_callback(self, item: OutboxItem) -> str | None:
        if not self._public_url:
            return None
        return f"{self._public_url}/webhooks/twilio/status?outbox={item.id}"

    def send(self, item: OutboxItem) -> str | None:
        arguments: dict[str, Any] = {"to": item.contact, "from_": item.line_number}
        callback = self.status_callback(item)
        if callback:
            arguments["status_callback"] = callback
        try:
            message = self._client.messages.create(body=item.body, **arguments)
        except TwilioRestException as error:
            raise _classify(error) from None
        except TwilioException as error:  # RFC 9457 problem answers and the like
            raise SendError(f"Twilio refused the message: {error}", code="twilio") from None
        except OSError as error:  # connection refused, reset, timed out
            raise SendError(
                f"Twilio could not be reached: {type(error).__name__}",
                code="network",
                in_doubt=True,
            ) from None
        return str(message.sid)

    def find_sent(self, item: OutboxItem) -> str | None:
        since = item.attempt_started_at
        try:
            candidates = self._client.messages.list(
                to=item.contact, from_=item.line_number, limit=50
            )
        except (TwilioException, OSError) as error:
            raise SendError(
                "Could not ask Twilio whether an earlier attempt went out.",
                code="reconcile_failed",
                in_doubt=True,
            ) from error
        for message in candidates:
            created = message.date_created
            recent = since is None or created is None or created >= since - timedelta(minutes=2)
            # A message already recorded for another item is that item's, not this one's.
            if message.body == item.body and recent and not self._is_recorded(str(message.sid)):
                return str(message.sid)
        return None


def _classify(error: TwilioRestException) -> SendError:
    code = error.code
    text = f"Twilio refused the message (HTTP {error.status}): {error.msg}"
    if code == TWILIO_OPTED_OUT:
        return SendError(text, code=str(code), retryable=False, opted_out=True)
    if code in PERMANENT or (400 <= error.status < 500 and error.status != 429):
        return SendError(text, code=str(code or error.status), retryable=False)
    return SendError(text, code=str(code or error.status))
