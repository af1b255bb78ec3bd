"""The WhatsApp Cloud API: outbound text and template messages through the Graph API.

Meta maintains no official Python SDK for the Cloud API, so this speaks the documented HTTP
interface directly with the standard library: ``POST /{version}/{phone-number-id}/messages``
with a Bearer token and a JSON body of type ``text`` or ``template``.

The 24-hour customer-service window: free text only within 24 hours of the contact's last
message; outside it only approved templates. The opt-in request to a contact who has not
written within the window goes out as the organization's approved opt-in template; any
other message outside the window is refused at once (error ``window_closed``) rather than
being sent to fail at Meta.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from consentline.domain.carrier_codes import WHATSAPP_STOPPED_MARKETING
from consentline.domain.carriers import WhatsAppAccount
from consentline.domain.phone import is_user_id
from consentline.service.sending import SendError
from consentline.store.outbox import OutboxItem

GRAPH_API = "https://graph.facebook.com"
GRAPH_VERSION = "v21.0"
SERVICE_WINDOW = timedelta(hours=24)
OPT_IN_REQUESTS = ("mt_request", "mo_request")
WINDOW_CLOSED = 131047  # "Re-engagement message": more than 24 hours since the user wrote
PERMANENT = {100, 131008, 131009, 131021, 131026, 131051, 132000, 132001, 132012}


def in_window(last_wrote: datetime | None, now: datetime) -> bool:
    return last_wrote is not None and now - last_wrote < SERVICE_WINDOW


class WhatsAppProvider:
    name = "whatsapp"

    def __init__(
        self,
        account: WhatsAppAccount,
        phone_number_id: str,
        *,
        api_base: str = GRAPH_API,
        version: str = GRAPH_VERSION,
        timeout: float = 15.0,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._account = account
        self._url = f"{api_base.rstrip('/')}/{version}/{phone_number_id}/messages"
        self._timeout = timeout
        self._clock = clock

    def payload(self, item: OutboxItem) -> dict[str, Any]:
        """The Graph API body for an item: text inside the window, else the template."""
        base = {"messaging_product": "whatsapp", "recipient_type": "individual"}
        if is_user_id(item.contact):  # a contact known only by a business-scoped user id
            base["recipient"] = item.contact
        else:
            base["to"] = item.contact.lstrip("+")
        if in_window(item.contact_last_wrote, self._clock()):
            return {**base, "type": "text", "text": {"body": item.body, "preview_url": False}}
        template = self._account.optin_template
        if item.template in OPT_IN_REQUESTS and template is not None:
            values = {"employee_name": item.employee_name, "company_name": item.company_name}
            body: dict[str, Any] = {
                "name": template.name,
                "language": {"code": template.language},
            }
            if template.parameters:
                body["components"] = [
                    {
                        "type": "body",
                        "parameters": [
                            {"type": "text", "text": values[p]} for p in template.parameters
                        ],
                    }
                ]
            return {**base, "type": "template", "template": body}
        raise SendError(
            "The contact has not written within 24 hours; WhatsApp allows only approved "
            "templates outside the customer-service window.",
            code="window_closed",
            retryable=False,
        )

    def send(self, item: OutboxItem) -> str | None:
        data = json.dumps(self.payload(item)).encode()
        request = urllib.request.Request(  # noqa: S310 (the URL is https, or a test stand-in)
            self._url,
            data=data,
            method="POST",
            headers={
                "Authorization": f"Bearer {self._account.access_token}",
                "Content-Type": "application/json",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:  # noqa: S310
                answer = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            raise _classify(error.code, _json(error.read())) from None
        except (OSError, ValueError) as error:
            raise SendError(
                f"The Graph API could not be reached: {type(error).__name__}",
                code="network",
                in_doubt=True,
            ) from None
        messages = answer.get("messages") or [{}]
        return str(messages[0].get("id")) if messages[0].get("id") else None


def _json(raw: bytes) -> dict[str, Any]:
    try:
        found = json.loads(raw)
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def _classify(status: int, body: dict[str, Any]) -> SendError:
    error = body.get("error") or {}
    code = error.get("code")
    text = f"The Graph API refused the message (HTTP {status}): {error.get('message', '')}"
    if code == WHATSAPP_STOPPED_MARKETING:
        return SendError(text, code=str(code), retryable=False, opted_out=True)
    if code == WINDOW_CLOSED:
        return SendError(text, code=str(code), retryable=False)
    if code in PERMANENT or (400 <= status < 500 and status != 429):
        return SendError(text, code=str(code or status), retryable=False)
    return SendError(text, code=str(code or status))
