"""SPEC §4's auto-message texts, written out by hand for the test tenant.

<Employee Name> is "Ada Lovelace" and <Company Name> "Northwind Bank", with the default
keywords. They are deliberately not rendered through the application's own templates, so a
wrong default or a wrong renderer shows up as a failing test.
"""

from __future__ import annotations

EMPLOYEE = "Ada Lovelace"
COMPANY = "Northwind Bank"

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
    "[Automated Message] Opt out confirmed. If you change your mind, please reply with a new "
    "message."
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

SPEC_TEXTS: dict[str, str] = {
    "mt_request": MT_REQUEST,
    "mt_requested_notice": MT_REQUESTED_NOTICE,
    "mt_accepted_notice": MT_ACCEPTED_NOTICE,
    "mt_confirmation": MT_CONFIRMATION,
    "mt_optout_notice": MT_OPTOUT_NOTICE,
    "mt_optout_confirmation": MT_OPTOUT_CONFIRMATION,
    "mo_request": MO_REQUEST,
    "mo_requested_notice": MO_REQUESTED_NOTICE,
    "mo_accepted_notice": MO_ACCEPTED_NOTICE,
    "mo_confirmation": MO_CONFIRMATION,
    "mo_optout_notice": MO_OPTOUT_NOTICE,
    "mo_optout_confirmation": MO_OPTOUT_CONFIRMATION,
    "disclaimer": DISCLAIMER,
}
