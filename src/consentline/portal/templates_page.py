"""Setup > Templates and keywords: the 14 auto messages, a live preview, the keywords."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Form, Response

from consentline.domain import labels
from consentline.domain.errors import DomainError
from consentline.domain.keywords import Keywords
from consentline.domain.segments import SegmentCount, count_segments
from consentline.domain.settings import MAX_TEMPLATE_LENGTH
from consentline.domain.settings_document import from_document
from consentline.domain.templates import (
    DEFAULT_TEMPLATES,
    PLACEHOLDERS,
    TEMPLATE_KEYS,
    RenderContext,
    missing_parts,
    render,
    unknown_placeholders,
)
from consentline.portal.web import Page, PageDep, checked, portal_router
from consentline.service import settings as settings_service
from consentline.service.access import Privilege
from consentline.store import orgs as org_store
from consentline.web.errors import status_of

router = portal_router()
PATH = "/setup/templates"
SAMPLE_EMPLOYEE = "Dana Whitfield"

# The source document's names for each template (shown beside the plain names of
# domain/labels.py, for those who know the document), and who receives it.
TITLES: dict[str, tuple[str, str]] = {
    "mt_request": ("SMS Opt-in: SMS Content sent to the customer in case of MT", "contact"),
    "mt_requested_notice": (
        "SMS Opt-in: Opt-in requested status notification for MT case",
        "employee",
    ),
    "mt_accepted_notice": (
        "SMS opt-in: OPT-IN accepted status notification for MT case",
        "employee",
    ),
    "mt_confirmation": (
        "SMS opt-in: OPT-IN confirmation status notification for MT case",
        "contact",
    ),
    "mt_optout_notice": ("SMS opt-in: Opt-in rejected status notification for MT case", "employee"),
    "mt_optout_confirmation": (
        "SMS opt-in: Opt-in rejected status notification to guest for MT case",
        "contact",
    ),
    "mo_request": ("SMS opt-in: SMS Content sent to the customer in case of MO", "contact"),
    "mo_requested_notice": (
        "SMS Opt-in: Opt-in requested status notification for MO case",
        "employee",
    ),
    "mo_accepted_notice": (
        "SMS opt-in: Opt-in accepted status notification for MO case",
        "employee",
    ),
    "mo_confirmation": (
        "SMS opt-in: Opt-in confirmation status notification for MO case",
        "contact",
    ),
    "mo_optout_notice": ("SMS opt-in: Opt-in rejected status notification for MO case", "employee"),
    "mo_optout_confirmation": (
        "SMS opt-in: Opt-in rejected status notification to guest for MO case",
        "contact",
    ),
    "disclaimer": ("SMS Opt-in Disclaimer: notice sent to the customer", "contact"),
    "help": ("HELP: answer to a customer who texts the help keyword", "contact"),
}


@dataclass(frozen=True)
class Preview:
    text: str
    count: SegmentCount
    problems: list[str]


def preview(
    text: str, context: RenderContext, key: str = "", keywords: Keywords | None = None
) -> Preview:
    problems = []
    if keywords is not None:
        # The same rule the save applies (safe templates): shown while typing.
        missing = missing_parts(key, text, keywords.opt_in_words(), keywords.opt_out_words())
        if missing:
            problems.append(missing)
    unknown = unknown_placeholders(text)
    if unknown:
        problems.append(f"Unknown placeholder {', '.join(unknown)}. Use {', '.join(PLACEHOLDERS)}.")
    if not text.strip():
        problems.append("A template must not be empty.")
    if len(text) > MAX_TEMPLATE_LENGTH:
        problems.append(f"At most {MAX_TEMPLATE_LENGTH} characters ({len(text)} now).")
    rendered = render(text, context)
    return Preview(rendered, count_segments(rendered), problems)


def _context(page: Page, document: dict[str, Any]) -> RenderContext:
    lines = org_store.list_lines(page.uow.connection, page.picked.root_id)
    employee = next((line.employee_name for line in lines), SAMPLE_EMPLOYEE)
    keywords = document["keywords"]
    support = document.get("support_contact") or (lines[0].number if lines else "")
    return RenderContext(employee, page.root.name, keywords["opt_in"], keywords["opt_out"], support)


def _keywords(document: dict[str, Any]) -> Keywords:
    return from_document({"keywords": document["keywords"]}).keywords


def _view(page: Page, edits: dict[str, str] | None = None) -> dict[str, Any]:
    document = settings_service.get_settings(page.uow, page.principal, page.picked.id)
    principal = page.principal
    has_setup = principal.is_operator or Privilege.SETUP.value in principal.privileges
    inherited = document.get("inherited_from")
    allowed = principal.is_operator or document.get("templates_editable", True)
    context = _context(page, document)
    keywords = _keywords(document)
    texts = {**document["templates"], **(edits or {})}
    cards = [
        {
            "key": key,
            "title": labels.TEMPLATES[key].name,
            "explanation": labels.TEMPLATES[key].explanation,
            "source_title": TITLES[key][0],
            "to": TITLES[key][1],
            "text": texts[key],
            "default": DEFAULT_TEMPLATES[key],
            "is_default": texts[key] == DEFAULT_TEMPLATES[key],
            "preview": preview(texts[key], context, key, keywords),
        }
        for key in TEMPLATE_KEYS
    ]
    return {
        "settings": document,
        "cards": cards,
        "inherited_from": inherited,
        "has_setup": has_setup,
        "locked": not allowed,
        "can_edit": has_setup and inherited is None and allowed,
        "sample_employee": context.employee_name,
        "placeholders": PLACEHOLDERS,
    }


@router.get(PATH)
def templates_and_keywords(page: PageDep) -> Response:
    return page.render("setup/templates/index.html", **_view(page))


@router.post(PATH + "/preview")
def template_preview(
    page: PageDep, key: Annotated[str, Form()], text: Annotated[str, Form()] = ""
) -> Response:
    document = settings_service.get_settings(page.uow, page.principal, page.picked.id)
    result = preview(text, _context(page, document), key, _keywords(document))
    return page.render("setup/templates/_preview.html", key=key, preview=result)


def _save(page: Page, patch: dict[str, Any], message: str, edits: dict[str, str]) -> Response:
    try:
        settings_service.change_settings(page.uow, page.principal, page.picked.id, patch, page.now)
    except DomainError as error:
        failed = next(iter(edits), "keywords")
        return page.render(
            "setup/templates/index.html",
            status_of(error),
            error=error.message,
            failed=failed,
            **_view(page, edits),
        )
    return page.redirect(PATH, message)


@router.post(PATH)
def save_template(
    page: PageDep,
    key: Annotated[str, Form()],
    text: Annotated[str, Form()] = "",
    action: Annotated[str, Form()] = "save",
) -> Response:
    if action == "default":
        text = DEFAULT_TEMPLATES.get(key, text)
    title = labels.template(key)
    return _save(page, {"templates": {key: text}}, f"Saved “{title}”.", {key: text})


@router.post("/setup/keywords")
def save_keywords(
    page: PageDep,
    opt_in: Annotated[str, Form()],
    opt_out: Annotated[str, Form()],
    opt_in_synonyms: Annotated[str, Form()] = "",
    opt_out_synonyms: Annotated[str, Form()] = "",
    help: Annotated[str | None, Form()] = None,
    help_synonyms: Annotated[str | None, Form()] = None,
) -> Response:
    words: dict[str, Any] = {
        "opt_in": opt_in,
        "opt_out": opt_out,
        "opt_in_synonyms": _words(opt_in_synonyms),
        "opt_out_synonyms": _words(opt_out_synonyms),
    }
    if help is not None:
        words["help"] = help
    if help_synonyms is not None:
        words["help_synonyms"] = _words(help_synonyms)
    patch = {"keywords": words}
    return _save(page, patch, "Keywords saved.", {})


@router.post(PATH + "/editable")
def set_templates_editable(
    page: PageDep, editable: Annotated[str | None, Form()] = None
) -> Response:
    """Operator only (the service checks): may the organization's admins edit templates?"""
    allowed = checked(editable)
    patch = {"templates_editable": allowed}
    settings_service.change_settings(page.uow, page.principal, page.root.id, patch, page.now)
    state = "may" if allowed else "may no longer"
    return page.redirect(PATH, f"Admins of {page.root.name} {state} edit templates and keywords.")


def _words(text: str) -> list[str]:
    """One word or phrase a line (commas also separate), as the keyword boxes show them."""
    return [word.strip() for line in text.splitlines() for word in line.split(",") if word.strip()]
