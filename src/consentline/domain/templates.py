"""Auto-message templates: the verbatim defaults of SPEC §4 and their renderer."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from consentline.domain.errors import InvalidSetting

EMPLOYEE_NAME = "<Employee Name>"
COMPANY_NAME = "<Company Name>"
OPT_IN_TEXT = "<Opt-in Text>"
OPT_OUT_TEXT = "<Opt-out Text>"
SUPPORT_CONTACT = "<Support Contact>"
PLACEHOLDERS = (EMPLOYEE_NAME, COMPANY_NAME, OPT_IN_TEXT, OPT_OUT_TEXT, SUPPORT_CONTACT)

_PLACEHOLDER = re.compile(r"<[^<>\n]{1,40}>")

# Stored with <Opt-in Text>/<Opt-out Text> where the source shows YES/STOP, so a changed
# keyword shows up in the text; with the default keywords they render as the source wrote.
DEFAULT_TEMPLATES: Mapping[str, str] = {
    "mt_request": (
        "[Auto Message] You are trying to reach <Employee Name>. As per company policy, you "
        "must provide your consent in order for your message to be delivered. To opt in, "
        "reply <Opt-in Text>. To opt out, reply <Opt-out Text>."
    ),
    "mt_requested_notice": (
        "[Auto Message] A contact has attempted to send you a message. As per company policy, "
        "they have been sent a request to opt in. Once confirmed, you will be able to "
        "send/receive messages."
    ),
    "mt_accepted_notice": (
        "[Auto Message] Your Contact has opted in. You may continue to send/receive messages."
    ),
    "mt_confirmation": (
        "[Auto Message] Opt in confirmed. To opt out at any time, reply <Opt-out Text>."
    ),
    "mt_optout_notice": (
        "[Auto Message] Your contact has opted out. No further messages can be sent to this "
        "contact until they have provided their consent again."
    ),
    "mt_optout_confirmation": (
        "[Automated Message] Opt out confirmed. If you change your mind, please reply with a "
        "new message."
    ),
    "mo_request": (
        "[Auto Message] <Employee Name> is trying to reach you. As per company policy, you must "
        "provide your consent to continue messaging. To Opt in, reply <Opt-in Text>. To opt "
        "out, reply <Opt-out Text>."
    ),
    "mo_requested_notice": (
        "[Automated Message]: Your contact has been sent a request to Opt-in. Once they accept, "
        "you will be able to message with your contact."
    ),
    "mo_accepted_notice": (
        "[Auto Message]: Your Contact has opted in. You may continue to send/receive messages."
    ),
    "mo_confirmation": (
        "[Auto Message]: Opt in confirmed. If you wish to opt out at any time, reply <Opt-out Text>"
    ),
    "mo_optout_notice": (
        "[Auto Message]:Your contact has opted out. No further messages can be sent to this "
        "contact until they have provided their consent again."
    ),
    "mo_optout_confirmation": (
        "[Auto Message]: Opt out confirmed. If you change your mind, please reply with a new "
        "message."
    ),
    "disclaimer": (
        "[Auto Message] You are receiving messages from <Employee Name> on behalf of "
        "<Company Name>. To opt out, reply <Opt-out Text>."
    ),
    # CTIA: the HELP answer names the brand, a support contact and how to opt out.
    "help": (
        "[Auto Message] <Company Name>: for help, contact <Support Contact>. To opt out, "
        "reply <Opt-out Text>."
    ),
}

TEMPLATE_KEYS = tuple(DEFAULT_TEMPLATES)


def unknown_placeholders(text: str) -> list[str]:
    return [found for found in _PLACEHOLDER.findall(text) if found not in PLACEHOLDERS]


def validate_template(key: str, text: str) -> None:
    """Refuse an unknown template key, an empty text or an unknown placeholder."""
    if key not in DEFAULT_TEMPLATES:
        raise InvalidSetting(
            f"Unknown template {key!r}. Known templates: {', '.join(TEMPLATE_KEYS)}."
        )
    if not text.strip():
        raise InvalidSetting(f"Template {key!r} must not be empty.")
    unknown = unknown_placeholders(text)
    if unknown:
        raise InvalidSetting(
            f"Template {key!r} uses unknown placeholder {', '.join(unknown)}. "
            f"Allowed placeholders: {', '.join(PLACEHOLDERS)}."
        )


def missing_parts(
    key: str, text: str, opt_in_words: frozenset[str], opt_out_words: frozenset[str]
) -> str | None:
    """What a template lacks to do its job, or None: a request must say how to opt in and
    how to opt out; an opt-in confirmation, the disclaimer and the HELP answer how to opt
    out. The words are normalized keywords of the template's language."""
    says_opt_in = OPT_IN_TEXT in text or _mentions(text, opt_in_words)
    says_opt_out = OPT_OUT_TEXT in text or _mentions(text, opt_out_words)
    needs_opt_in = key.endswith("_request")
    needs_opt_out = needs_opt_in or key in _SAYS_HOW_TO_OPT_OUT
    missing = []
    if needs_opt_in and not says_opt_in:
        missing.append(f"how to opt in ({OPT_IN_TEXT} or the opt-in keyword)")
    if needs_opt_out and not says_opt_out:
        missing.append(f"how to opt out ({OPT_OUT_TEXT} or an opt-out keyword)")
    if not missing:
        return None
    return f"Template {key!r} must say " + " and ".join(missing) + "."


_SAYS_HOW_TO_OPT_OUT = frozenset({"mt_confirmation", "mo_confirmation", "disclaimer", "help"})


def _mentions(text: str, words: frozenset[str]) -> bool:
    """Does ``text`` contain one of the (normalized) keywords as whole words?"""
    tokens = [token.casefold() for token in re.findall(r"[^\W_]+", text)]
    for word in words:
        parts = word.split(" ")
        for start in range(len(tokens) - len(parts) + 1):
            if tokens[start : start + len(parts)] == parts:
                return True
    return False


@dataclass(frozen=True)
class RenderContext:
    employee_name: str
    company_name: str
    opt_in_text: str
    opt_out_text: str
    support_contact: str = ""


def render(text: str, context: RenderContext) -> str:
    values = {
        EMPLOYEE_NAME: context.employee_name,
        COMPANY_NAME: context.company_name,
        OPT_IN_TEXT: context.opt_in_text,
        OPT_OUT_TEXT: context.opt_out_text,
        SUPPORT_CONTACT: context.support_contact,
    }
    # One pass, so a value that itself looks like a placeholder is left as it is.
    return _PLACEHOLDER.sub(lambda match: values.get(match.group(0), match.group(0)), text)
