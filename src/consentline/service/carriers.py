"""Carrier settings through the API, and the lookups the carriers' webhooks need."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from consentline.domain.carriers import SECRET_FIELDS, CarrierSettings, apply_patch
from consentline.domain.errors import InheritedSetting
from consentline.service import audit
from consentline.service.access import Principal, Privilege, visible_org
from consentline.service.unit_of_work import UnitOfWork
from consentline.store import carriers as carrier_store, orgs as org_store
from consentline.store.orgs import LineRow, LineWithPolicy


@dataclass(frozen=True)
class TwilioShown:
    account_sid: str | None
    lines: list[str]
    auth_token_set: bool


@dataclass(frozen=True)
class OptInTemplateShown:
    name: str
    language: str
    parameters: list[str]


@dataclass(frozen=True)
class WhatsAppShown:
    lines: dict[str, str]
    optin_template: OptInTemplateShown | None
    access_token_set: bool
    app_secret_set: bool
    verify_token_set: bool


@dataclass(frozen=True)
class EmployeeAppShown:
    url: str | None
    signing_secret_set: bool


@dataclass(frozen=True)
class ProvidersShown:
    """A root's carrier settings as the API shows them: each secret only as ``<name>_set``.
    ``inherited_from``: the root's id, when asked through a sub-organization."""

    twilio: TwilioShown
    whatsapp: WhatsAppShown
    employee_app: EmployeeAppShown
    inherited_from: int | None = None


def _shown_settings(settings: CarrierSettings, inherited_from: int | None) -> ProvidersShown:
    shown = settings.public()
    twilio, whatsapp, app = shown["twilio"], shown["whatsapp"], shown["employee_app"]
    template = whatsapp["optin_template"]
    return ProvidersShown(
        twilio=TwilioShown(twilio["account_sid"], list(twilio["lines"]), twilio["auth_token_set"]),
        whatsapp=WhatsAppShown(
            lines=dict(whatsapp["lines"]),
            optin_template=(
                OptInTemplateShown(
                    template["name"], template["language"], list(template.get("parameters") or [])
                )
                if template
                else None
            ),
            access_token_set=whatsapp["access_token_set"],
            app_secret_set=whatsapp["app_secret_set"],
            verify_token_set=whatsapp["verify_token_set"],
        ),
        employee_app=EmployeeAppShown(app["url"], app["signing_secret_set"]),
        inherited_from=inherited_from,
    )


def get_providers(uow: UnitOfWork, principal: Principal, org_id: int) -> ProvidersShown:
    org = visible_org(uow.connection, principal, org_id)
    principal.require(Privilege.SETUP)
    settings = carrier_store.load(uow.connection, org.root_id)
    return _shown_settings(settings, org.root_id if org.parent_id is not None else None)


def change_providers(
    uow: UnitOfWork,
    principal: Principal,
    org_id: int,
    patch: dict[str, Any],
    now: datetime,
    region: str = "US",
) -> ProvidersShown:
    conn = uow.connection
    org = visible_org(conn, principal, org_id)
    principal.require(Privilege.SETUP)
    if org.parent_id is not None:
        raise InheritedSetting(
            "Carrier settings belong to the main organization; change them there.",
        )
    current = carrier_store.load(conn, org.root_id)
    own_lines = {line.number for line in org_store.list_lines(conn, org.root_id)}
    updated = apply_patch(current, patch, own_lines, region)
    carrier_store.save(conn, org.root_id, updated, now)
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for section, values in patch.items():
        for key in values or {}:
            old, new = _shown(current, section, key), _shown(updated, section, key)
            if old != new or key in SECRET_FIELDS[section]:
                setting = f"providers.{section}.{key}"
                org_store.record_setting_change(
                    conn, org.root_id, principal.name, setting, old, new, now
                )
                before[setting], after[setting] = old, new  # secrets only as "(set)"
    if after:
        audit.record(
            uow, principal, "providers.changed", "org", org.id, before, after, at=now, org=org
        )
    uow.commit()
    return _shown_settings(updated, None)


def _shown(settings: CarrierSettings, section: str, key: str) -> Any:
    """A value as the history may keep it: a secret only as whether it is set."""
    if key in SECRET_FIELDS[section]:
        return "(set)" if (settings.secrets.get(section) or {}).get(key) else None
    return (settings.config.get(section) or {}).get(key)


# --- lookups for webhooks (authenticated by the carrier's signature, not by a key) --------


@dataclass(frozen=True)
class CarrierLine:
    """A webhook's line with what receiving a message on it needs: its organization's
    policy (``policy``) and carrier settings."""

    policy: LineWithPolicy
    settings: CarrierSettings

    @property
    def line(self) -> LineRow:
        return self.policy.line


def webhook_principal(root_id: int, carrier: str) -> Principal:
    """Who a verified webhook acts as: messaging within its own organization only."""
    return Principal(f"webhook:{carrier}", root_id, frozenset({Privilege.MESSAGING.value}))


def twilio_line(conn: Connection, number: str) -> CarrierLine | None:
    """The line a Twilio webhook is for, when its organization routes it through Twilio."""
    found = carrier_store.line_with_carrier(conn, number)
    if found is None:
        return None
    policy, settings = found
    if policy.line.retired_at is not None:  # a retired line is served no more
        return None
    if not settings.serves_twilio(policy.line.number) or settings.twilio is None:
        return None
    return CarrierLine(policy, settings)


def whatsapp_line(
    conn: Connection,
    phone_number_id: str,
    accounts: list[tuple[int, CarrierSettings]] | None = None,
) -> CarrierLine | None:
    """The line a WhatsApp business number id is for; ``accounts``: every organization's
    carrier settings, when the caller already read them."""
    for _root_id, settings in carrier_store.every(conn) if accounts is None else accounts:
        for number, known_id in settings.whatsapp_lines.items():
            if known_id == phone_number_id and settings.whatsapp is not None:
                policy = org_store.line_with_policy(conn, number)
                served = policy is not None and policy.line.retired_at is None
                return CarrierLine(policy, settings) if policy and served else None
    return None


def carrier_accounts(conn: Connection) -> list[tuple[int, CarrierSettings]]:
    """Every organization's carrier settings."""
    return carrier_store.every(conn)


def whatsapp_accounts(
    conn: Connection, accounts: list[tuple[int, CarrierSettings]] | None = None
) -> list[tuple[int, str]]:
    """Each organization with a WhatsApp account, and its app secret (which signs Meta's
    notifications): a notification's signature is checked before its body is read."""
    found = []
    for root_id, settings in carrier_store.every(conn) if accounts is None else accounts:
        account = settings.whatsapp
        if account is not None and account.app_secret:
            found.append((root_id, account.app_secret))
    return found


def whatsapp_verify_token_known(conn: Connection, token: str) -> bool:
    """Whether any organization's WhatsApp settings use this verify token."""
    found = False
    for _root_id, settings in carrier_store.every(conn):
        account = settings.whatsapp
        if account and account.verify_token:
            found |= hmac.compare_digest(account.verify_token.encode(), token.encode())
    return found
