"""Retention, legal holds and purges as use cases: who may, and each one audited.

The command line and the portal both come here; ``archive/retention.py`` does the work.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from consentline.archive import retention
from consentline.archive.retention import PurgeResult, Retention
from consentline.service import audit
from consentline.service.access import Principal, Privilege, visible_org
from consentline.service.unit_of_work import UnitOfWork
from consentline.store import orgs as org_store
from consentline.store.orgs import OrgRow


def _root(uow: UnitOfWork, principal: Principal, org_id: int) -> OrgRow:
    org = visible_org(uow.connection, principal, org_id)
    principal.require(Privilege.SETUP)
    root = org_store.get_org(uow.connection, org.root_id)
    assert root is not None
    return root


def retention_of(uow: UnitOfWork, principal: Principal, org_id: int) -> tuple[OrgRow, Retention]:
    org = visible_org(uow.connection, principal, org_id)
    principal.require(Privilege.SETUP, Privilege.REPORTS)
    root = org_store.get_org(uow.connection, org.root_id)
    assert root is not None
    return root, retention.policy_for(uow.connection, root.id)


def change_retention(
    uow: UnitOfWork,
    principal: Principal,
    org_id: int,
    now: datetime,
    *,
    days: int | None = None,
    legal_hold: bool | None = None,
    reason: str | None = None,
) -> Retention:
    """Change the retention period, place a legal hold (with a reason) or release it."""
    root = _root(uow, principal, org_id)
    conn = uow.connection
    before = retention.policy_for(conn, root.id)
    after = retention.set_policy(
        conn,
        root.id,
        principal.name,
        now,
        retention_days=days,
        legal_hold=legal_hold,
        reason=reason,
    )
    if after.retention_days != before.retention_days:
        audit.record(
            uow,
            principal,
            "retention.changed",
            "org",
            root.id,
            {"retention_days": before.retention_days},
            {"retention_days": after.retention_days},
            at=now,
            org=root,
        )
    if after.legal_hold != before.legal_hold:
        held: dict[str, object] = {"legal_hold": True, "reason": after.legal_hold_reason}
        released: dict[str, object] = {"legal_hold": False}
        if after.legal_hold:
            action, old, new = "legal_hold.placed", released, held
        else:
            action, old = "legal_hold.released", {**held, "reason": before.legal_hold_reason}
            new = released
        audit.record(uow, principal, action, "org", root.id, old, new, at=now, org=root)
    uow.commit()
    return after


@dataclass(frozen=True)
class PurgePreview:
    conversations: int
    retention_days: int
    cutoff: datetime


def preview_purge(
    uow: UnitOfWork, principal: Principal, org_id: int, now: datetime
) -> PurgePreview:
    """What a purge would remove now (nothing changes)."""
    root = _root(uow, principal, org_id)
    policy = retention.policy_for(uow.connection, root.id)
    cutoff = now - timedelta(days=policy.retention_days)
    due = retention.purgeable(uow.connection, root.id, cutoff)
    return PurgePreview(len(due), policy.retention_days, cutoff)


def purge(
    uow: UnitOfWork, principal: Principal, org_id: int, now: datetime, *, dry_run: bool = False
) -> PurgeResult:
    """Remove the organization's conversations past retention (refused on legal hold)."""
    root = _root(uow, principal, org_id)
    result = retention.purge(uow.connection, root.id, now, dry_run=dry_run)
    if not dry_run:
        after = {
            "conversations": result.conversations,
            "records": result.records,
            "checkpoint_hash": result.checkpoint_hash,
        }
        audit.record(
            uow, principal, "retention.purged", "org", root.id, None, after, at=now, org=root
        )
    uow.commit()
    return result
