"""Reading and changing an organization's settings, with a history of every change."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from consentline.domain.errors import Forbidden, InheritedSetting, NotEntitled
from consentline.domain.settings import PolicySettings, check_change
from consentline.domain.settings_document import (
    apply_patch,
    changed_leaves,
    from_document,
    to_document,
)
from consentline.service import audit
from consentline.service.access import Principal, Privilege, visible_org
from consentline.service.unit_of_work import UnitOfWork
from consentline.store import orgs as org_store
from consentline.store.orgs import OrgRow

NOT_ENTITLED = "SMS Opt-in is not enabled for this organization by the service provider"
TEMPLATES_LOCKED = (
    "Templates and keywords of this organization are customized by the service provider; "
    "contact your customer service representative to request custom messages."
)


def policy_settings(uow: UnitOfWork, root_id: int) -> PolicySettings:
    return policy_settings_from(org_store.load_settings_document(uow.connection, root_id))


_DEFAULTS = PolicySettings()
_PARSED: dict[str, PolicySettings] = {}
_PARSED_MOST = 512


def policy_settings_from(document: dict[str, Any] | None) -> PolicySettings:
    """An organization's settings from its stored document (the defaults when it has none).

    Every message reads its organization's document; reading it into settings costs more
    than the rest of the decision, so each distinct document is read once per process. The
    key is the document itself, so a change is seen by the very next message."""
    if not document:
        return _DEFAULTS
    key = json.dumps(document, sort_keys=True, separators=(",", ":"), default=str)
    settings = _PARSED.get(key)
    if settings is None:
        settings = from_document(document)
        if len(_PARSED) >= _PARSED_MOST:
            _PARSED.clear()
        _PARSED[key] = settings
    return settings


def get_settings(uow: UnitOfWork, principal: Principal, org_id: int) -> dict[str, Any]:
    org = visible_org(uow.connection, principal, org_id)
    document = to_document(policy_settings(uow, org.root_id))
    if org.parent_id is not None:
        root = org_store.get_org(uow.connection, org.root_id)
        assert root is not None
        document["inherited_from"] = {"id": root.id, "name": root.name}
    return document


def change_settings(
    uow: UnitOfWork, principal: Principal, org_id: int, patch: dict[str, Any], now: datetime
) -> dict[str, Any]:
    org = visible_org(uow.connection, principal, org_id)
    principal.require(Privilege.SETUP)
    if org.parent_id is not None:
        root = org_store.get_org(uow.connection, org.root_id)
        assert root is not None
        raise InheritedSetting(
            f"Settings are inherited from the main organization {root.name!r} (id {root.id}) "
            "and apply to all its sub-organizations; change them there."
        )
    if "entitled" in (patch.get("sms_optin") or {}) or "templates_editable" in patch:
        principal.require_operator()
    edits_texts = bool(patch.get("templates") or patch.get("keywords"))
    if (
        edits_texts
        and not principal.is_operator
        and not policy_settings(uow, org.id).templates_editable
    ):
        raise Forbidden(TEMPLATES_LOCKED, code="templates_locked")
    before, after = write_settings(uow, principal, org, patch, now)
    if before or after:
        audit.record(
            uow, principal, "settings.changed", "org", org.id, before, after, at=now, org=org
        )
    changed = get_settings(uow, principal, org_id)
    uow.commit()
    return changed


def write_settings(
    uow: UnitOfWork, principal: Principal, root: OrgRow, patch: dict[str, Any], now: datetime
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Validate and store a change to a root organization's settings, and record it in the
    settings history. Answers what changed: the old and new value of each changed setting."""
    old = policy_settings(uow, root.id)
    new = apply_patch(old, patch)
    optin = patch.get("sms_optin") or {}
    touches_optin = "enabled" in optin or "mode" in optin
    if touches_optin and not new.entitled:
        raise NotEntitled(NOT_ENTITLED)
    check_change(old, new)
    old_document, new_document = to_document(old), to_document(new)
    olds: dict[str, Any] = {}
    news: dict[str, Any] = {}
    for setting, before, after in changed_leaves(old_document, new_document):
        org_store.record_setting_change(
            uow.connection, root.id, principal.name, setting, before, after, now
        )
        olds[setting], news[setting] = before, after
    org_store.save_settings_document(uow.connection, root.id, new_document, now)
    return olds, news


@dataclass(frozen=True)
class SettingChange:
    """One setting's change: ``setting`` is its dotted path (``keywords.opt_in``)."""

    setting: str
    actor: str
    old_value: Any
    new_value: Any
    changed_at: datetime


def settings_history(uow: UnitOfWork, principal: Principal, org_id: int) -> list[SettingChange]:
    """Every change of the organization's (root's) settings: who, when, old and new value."""
    org = visible_org(uow.connection, principal, org_id)
    principal.require(Privilege.SETUP, Privilege.REPORTS)
    return [
        SettingChange(**change)
        for change in org_store.settings_history(uow.connection, org.root_id)
    ]
