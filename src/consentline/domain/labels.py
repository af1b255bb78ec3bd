"""Plain-language names for the engine's keys, for pages and exports that people read.

The API keeps its keys (``opted_in``, ``mt_request``); a person reads "Opted in" and
"Opt-in request, when the contact texts first". The source document's own names of the
templates stay beside them (``SOURCE_TITLES``) for those who know them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

STATES: Mapping[str, str] = {
    "none": "No consent record",
    "pending": "Pending consent",
    "opted_in": "Opted in",
    "opted_out": "Opted out",
    "disclaimer_sent": "Disclaimer sent",
}
STATE_EXPLANATIONS: Mapping[str, str] = {
    "none": "No message that needs consent has been exchanged yet.",
    "pending": "The contact was asked to opt in; messages are held until they answer.",
    "opted_in": "The contact agreed to receive messages; messages flow both ways.",
    "opted_out": "The contact asked to receive no more messages; the employee cannot text them.",
    "disclaimer_sent": "The contact was told who is texting them and how to opt out.",
}
INITIATORS: Mapping[str, str] = {
    "contact": "The contact texted first",
    "employee": "The employee texted first",
}
MODES: Mapping[str, str] = {
    "consent": "SMS Opt-in with Consent",
    "disclaimer": "SMS Opt-in Disclaimer",
}
STATUSES: Mapping[str, str] = {
    "delivered": "Delivered",
    "held": "Held for consent",
    "blocked": "Blocked (opted out)",
    "discarded": "Discarded (opted out)",
    "expired": "Expired (held too long)",
    "keyword": "Keyword reply",
}
PARTIES: Mapping[str, str] = {
    "contact": "Contact",
    "employee": "Employee",
    "system": "ConsentLine",
}
CHANNELS: Mapping[str, str] = {"sms": "SMS", "whatsapp": "WhatsApp"}


@dataclass(frozen=True)
class TemplateName:
    name: str
    explanation: str
    to: str
    """Who receives it: ``contact`` or ``employee``."""


TEMPLATES: Mapping[str, TemplateName] = {
    "mt_request": TemplateName(
        "Opt-in request, when the contact texts first",
        "Asks a contact who texted first to reply YES before their message is delivered.",
        "contact",
    ),
    "mt_requested_notice": TemplateName(
        "Employee notice: contact asked to opt in",
        "Tells the employee that a contact texted and was asked to opt in.",
        "employee",
    ),
    "mt_accepted_notice": TemplateName(
        "Employee notice: contact opted in (they texted first)",
        "Tells the employee the contact agreed; their held message follows.",
        "employee",
    ),
    "mt_confirmation": TemplateName(
        "Opt-in confirmation, when the contact texted first",
        "Confirms to the contact that they opted in, and how to opt out.",
        "contact",
    ),
    "mt_optout_notice": TemplateName(
        "Employee notice: contact opted out (they texted first)",
        "Tells the employee the contact declined; no more messages can be sent.",
        "employee",
    ),
    "mt_optout_confirmation": TemplateName(
        "Opt-out confirmation, when the contact texted first",
        "Confirms to the contact that they opted out, and how to come back.",
        "contact",
    ),
    "mo_request": TemplateName(
        "Opt-in request, when the employee texts first",
        "Asks the contact to reply YES before the employee's message is delivered.",
        "contact",
    ),
    "mo_requested_notice": TemplateName(
        "Employee notice: request sent to the contact",
        "Tells the employee their message waits until the contact opts in.",
        "employee",
    ),
    "mo_accepted_notice": TemplateName(
        "Employee notice: contact opted in (employee texted first)",
        "Tells the employee the contact agreed; their held message was delivered.",
        "employee",
    ),
    "mo_confirmation": TemplateName(
        "Opt-in confirmation, when the employee texted first",
        "Confirms to the contact that they opted in, and how to opt out.",
        "contact",
    ),
    "mo_optout_notice": TemplateName(
        "Employee notice: contact opted out (employee texted first)",
        "Tells the employee the contact declined; no more messages can be sent.",
        "employee",
    ),
    "mo_optout_confirmation": TemplateName(
        "Opt-out confirmation, when the employee texted first",
        "Confirms to the contact that they opted out, and how to come back.",
        "contact",
    ),
    "disclaimer": TemplateName(
        "Disclaimer",
        "Tells the contact which business is texting them and how to opt out.",
        "contact",
    ),
    "help": TemplateName(
        "Help reply",
        "Answers a contact who texts HELP: the business, a support contact and how to opt out.",
        "contact",
    ),
}

SETTINGS: Mapping[str, str] = {
    "sms_optin.entitled": "SMS Opt-in available (set by the service provider)",
    "sms_optin.enabled": "SMS Opt-in enabled",
    "sms_optin.mode": "SMS Opt-in mode",
    "group_messaging.enabled": "Group messaging enabled",
    "keywords.opt_in": "Opt-in text",
    "keywords.opt_out": "Opt-out text",
    "keywords.opt_in_synonyms": "Also accepted as opt-in",
    "keywords.opt_out_synonyms": "Also accepted as opt-out",
    "keywords.help": "Help text",
    "keywords.help_synonyms": "Also accepted as help",
    "support_contact": "Support contact named in the help reply",
    "languages": "Languages (the first is the default)",
    "consent_scope": "Where an opt-out applies (one line, the organization, every channel)",
    "hold_max_age": "How long a held message may wait",
    "request_resend_interval": "Minimum time between two opt-in requests",
    "templates_editable": "Organization admins may edit templates and keywords",
}


def state(key: str | None) -> str:
    return STATES.get(key or "none", key or "—")


def initiator(key: str | None) -> str:
    return INITIATORS.get(key, "—") if key else "—"


def mode(key: str | None) -> str:
    return MODES.get(key, key) if key else "—"


def status(key: str | None) -> str:
    return STATUSES.get(key, key) if key else "—"


def channel(key: str | None) -> str:
    return CHANNELS.get(key, key) if key else "—"


def template(key: str | None) -> str:
    if not key:
        return "—"
    found = TEMPLATES.get(key)
    return found.name if found else key


def setting(key: str) -> str:
    """``templates.mt_request`` → "Template: Opt-in request, when the contact texts first"."""
    if key in SETTINGS:
        return SETTINGS[key]
    group, _, rest = key.partition(".")
    if group == "templates" and rest in TEMPLATES:
        return f"Template: {TEMPLATES[rest].name}"
    return key.replace("_", " ").replace(".", ": ").capitalize()
