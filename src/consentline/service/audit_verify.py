"""Verify the admin audit log's chains (one per root organization) and their heads."""

from __future__ import annotations

from sqlalchemy import Connection

from consentline.domain.audit_chain import AuditChainCheck
from consentline.store import audit as audit_store


def verify_audit(conn: Connection) -> tuple[int, str | None]:
    """The number of audit records walked, and the first problem (or None)."""
    walked = 0
    for root_id, length, head, records in audit_store.chains(conn):
        check = AuditChainCheck(root_id)
        for record in records:
            walked += 1
            check.add(int(record["id"]), int(record["seq"]), str(record["hash"]), record)
        problem = check.finish(length, head)
        if problem is not None:
            return walked, str(problem)
    return walked, None
