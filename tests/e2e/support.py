"""What the end-to-end state-table tests share: SPEC §4 texts written out, small views.

The auto-message texts below are copied by hand from SPEC §4 with the default keywords and
the test tenant's names (employee "Ada Lovelace", company "Northwind Bank"). They are
deliberately not rendered through the application's own templates, so a wrong default or a
wrong renderer shows up as a failing test.
"""

from __future__ import annotations

from typing import Any

from consentline.service.expiry import expire_overdue
from consentline.store import outbox as outbox_store
from tests.helpers import Api, Tenant

EMPLOYEE = "Ada Lovelace"
COMPANY = "Northwind Bank"
CONTACT = "+15557770001"
OTHER_CONTACT = "+15557770002"
THIRD_CONTACT = "+15557770003"

# --- SPEC §4, verbatim (<Employee Name> = Ada Lovelace, <Company Name> = Northwind Bank) ---

MT_REQUEST = (
    "[Auto Message] You are trying to reach Ada Lovelace. As per company policy, you must "
    "provide your consent in order for your message to be delivered. To opt in, reply YES. "
    "To opt out, reply STOP."
)
MT_REQUESTED_NOTICE = (
    "[Auto Message] A contact has attempted to send you a message. As per company policy, "
    "they have been sent a request to opt in. Once confirmed, you will be able to "
    "send/receive messages."
)
MT_ACCEPTED_NOTICE = (
    "[Auto Message] Your Contact has opted in. You may continue to send/receive messages."
)
MT_CONFIRMATION = "[Auto Message] Opt in confirmed. To opt out at any time, reply STOP."
MT_OPTOUT_NOTICE = (
    "[Auto Message] Your contact has opted out. No further messages can be sent to this "
    "contact until they have provided their consent again."
)
MT_OPTOUT_CONFIRMATION = (
    "[Automated Message] Opt out confirmed. If you change your mind, please reply with a "
    "new message."
)
MO_REQUEST = (
    "[Auto Message] Ada Lovelace is trying to reach you. As per company policy, you must "
    "provide your consent to continue messaging. To Opt in, reply YES. To opt out, reply STOP."
)
MO_REQUESTED_NOTICE = (
    "[Automated Message]: Your contact has been sent a request to Opt-in. Once they accept, "
    "you will be able to message with your contact."
)
MO_ACCEPTED_NOTICE = (
    "[Auto Message]: Your Contact has opted in. You may continue to send/receive messages."
)
MO_CONFIRMATION = "[Auto Message]: Opt in confirmed. If you wish to opt out at any time, reply STOP"
MO_OPTOUT_NOTICE = (
    "[Auto Message]:Your contact has opted out. No further messages can be sent to this "
    "contact until they have provided their consent again."
)
MO_OPTOUT_CONFIRMATION = (
    "[Auto Message]: Opt out confirmed. If you change your mind, please reply with a new message."
)
DISCLAIMER = (
    "[Auto Message] You are receiving messages from Ada Lovelace on behalf of Northwind Bank. "
    "To opt out, reply STOP."
)


# --- views ----------------------------------------------------------------------------------


def phones(api: Api, tenant: Tenant, contact: str = CONTACT) -> tuple[list[str], list[str]]:
    """Run the outbox once, then (what the contact's phone shows, what the employee's shows)."""
    api.deliver()
    return api.phone(tenant, contact, "contact"), api.phone(tenant, contact, "employee")


def deliveries(api: Api, tenant: Tenant, contact: str = CONTACT) -> list[tuple[str, str]]:
    """Every simulated delivery of a conversation as (side, body), in the order sent."""
    api.deliver()
    with api.engine.connect() as conn:
        rows = outbox_store.simulated_deliveries(conn, tenant.line, contact)
    return [(str(row["side"]), str(row["body"])) for row in rows]


def user_statuses(api: Api, tenant: Tenant, contact: str = CONTACT) -> list[tuple[str, str]]:
    """The conversation's user messages as (body, latest status), oldest first."""
    return [
        (m["body"], m["status"])
        for m in api.conversation(tenant, contact)["messages"]
        if m["kind"] == "user"
    ]


def status_of(api: Api, tenant: Tenant, body: str, contact: str = CONTACT) -> str:
    found = [status for text, status in user_statuses(api, tenant, contact) if text == body]
    assert len(found) == 1, (body, user_statuses(api, tenant, contact))
    return found[0]


def auto_templates(api: Api, tenant: Tenant, contact: str = CONTACT) -> list[str]:
    """The template keys of the conversation's auto messages, oldest first."""
    return [
        m["template"] for m in api.conversation(tenant, contact)["messages"] if m["kind"] == "auto"
    ]


def state(api: Api, tenant: Tenant, contact: str = CONTACT) -> str:
    return str(api.conversation(tenant, contact)["consent"]["state"])


def run_housekeeping(api: Api) -> int:
    """The worker's periodic sweep that expires holds past ``hold_max_age``."""
    return int(expire_overdue(api.engine, api.clock))


def set_mode(api: Api, tenant: Tenant, *, enabled: bool, mode: str | None = None) -> Any:
    optin: dict[str, Any] = {"enabled": enabled}
    if mode is not None:
        optin["mode"] = mode
    return api.settings(tenant, sms_optin=optin)
