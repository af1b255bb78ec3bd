"""What the end-to-end state-table tests share: SPEC §4 texts written out, small views.

The auto-message texts below are copied by hand from SPEC §4 with the default keywords and
the test tenant's names (employee "Ada Lovelace", company "Northwind Bank"). They are
deliberately not rendered through the application's own templates, so a wrong default or a
wrong renderer shows up as a failing test.
"""

from __future__ import annotations

from typing import Any

from consentline.service.expiry import expire_overdue
from consentline.service.unit_of_work import UnitsOfWork
from consentline.store import outbox as outbox_store
from tests.helpers import Api, Tenant
from tests.spec_texts import (
    COMPANY as COMPANY,
    DISCLAIMER as DISCLAIMER,
    EMPLOYEE as EMPLOYEE,
    MO_ACCEPTED_NOTICE as MO_ACCEPTED_NOTICE,
    MO_CONFIRMATION as MO_CONFIRMATION,
    MO_OPTOUT_CONFIRMATION as MO_OPTOUT_CONFIRMATION,
    MO_OPTOUT_NOTICE as MO_OPTOUT_NOTICE,
    MO_REQUEST as MO_REQUEST,
    MO_REQUESTED_NOTICE as MO_REQUESTED_NOTICE,
    MT_ACCEPTED_NOTICE as MT_ACCEPTED_NOTICE,
    MT_CONFIRMATION as MT_CONFIRMATION,
    MT_OPTOUT_CONFIRMATION as MT_OPTOUT_CONFIRMATION,
    MT_OPTOUT_NOTICE as MT_OPTOUT_NOTICE,
    MT_REQUEST as MT_REQUEST,
    MT_REQUESTED_NOTICE as MT_REQUESTED_NOTICE,
)

CONTACT = "+15557770001"
OTHER_CONTACT = "+15557770002"
THIRD_CONTACT = "+15557770003"


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
    return int(expire_overdue(UnitsOfWork(api.engine), api.clock))


def set_mode(api: Api, tenant: Tenant, *, enabled: bool, mode: str | None = None) -> Any:
    optin: dict[str, Any] = {"enabled": enabled}
    if mode is not None:
        optin["mode"] = mode
    return api.settings(tenant, sms_optin=optin)
