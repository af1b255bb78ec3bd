"""Exporting an organization's consent ledger or its suppression list as the consent CSV,
which imports back to the same state."""

from __future__ import annotations

from collections.abc import Iterator
from enum import StrEnum

from sqlalchemy import Connection

from consentline.domain.consent import State
from consentline.domain.consent_csv import format_rows
from consentline.service.access import Principal, Privilege, visible_org
from consentline.service.recorded import OrgLines, org_lines
from consentline.store.consent_ledger import ledger


class ExportKind(StrEnum):
    LEDGER = "ledger"
    """Every decided conversation: opted in and opted out."""
    SUPPRESSION = "suppression"
    """Only the opted-out ones: who must not be texted."""


def check_export(conn: Connection, principal: Principal, org_id: int) -> OrgLines:
    """Whether the caller may export this organization's consents (before a download starts,
    so that a refusal is an error answer and not a broken file)."""
    principal.require(Privilege.SETUP, Privilege.REPORTS)
    return org_lines(conn, visible_org(conn, principal, org_id))


def export_lines(
    conn: Connection, principal: Principal, org_id: int, kind: ExportKind
) -> Iterator[str]:
    """The CSV as text chunks; the caller's connection must stay open while it is read."""
    scope = check_export(conn, principal, org_id)
    states = [State.OPTED_OUT.value]
    if kind is ExportKind.LEDGER:
        states.append(State.OPTED_IN.value)
    rows = ledger(conn, [line.id for line in scope.lines], states)
    return format_rows(row.cells() for row in rows)
