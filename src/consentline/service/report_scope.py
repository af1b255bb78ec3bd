"""Whose consent records a report or an archive export covers: one root's subtree.

Shared by the reports and the archive (the SMS Opt-In Report, the revocation clock, the
archive export, the Salesforce sync): the caller names an organization and sees it and
every organization below it, never outside their own tree (404).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from consentline.domain.errors import InvalidInput
from consentline.service.access import Principal, Privilege, visible_org
from consentline.store import orgs as org_store


@dataclass(frozen=True)
class Scope:
    """The organizations whose lines the report covers: one root's subtree."""

    root_id: int
    org_ids: frozenset[int]
    whole_tree: bool = False


def scope_for(conn: Connection, principal: Principal, org_id: int | None) -> Scope:
    """What the caller may report on: the named organization (404 outside their tree)."""
    principal.require(Privilege.REPORTS)
    if org_id is None:
        if principal.org_id is None:
            raise InvalidInput("Name an organization: org=<id>.", code="org_required")
        org_id = principal.org_id
    org = visible_org(conn, principal, org_id)
    tree = org_store.list_orgs(conn, org.root_id)
    children: dict[int | None, list[int]] = {}
    for node in tree:
        children.setdefault(node.parent_id, []).append(node.id)
    found, stack = {org.id}, [org.id]
    while stack:
        for child in children.get(stack.pop(), []):
            found.add(child)
            stack.append(child)
    return Scope(org.root_id, frozenset(found), whole_tree=org.id == org.root_id)
