"""The admin audit log: who did what to which thing, when and from where. Append-only.

Records of one root organization form a hash chain (``domain/audit_chain.py``), like the
message archive's conversations: ``seq`` numbers them from 1 and ``hash`` covers the
previous record's hash and this record's fields. ``audit_heads`` keeps each chain's length
and newest hash (removing the newest records is detected there) and is the row an append
locks, so two writers of one organization take turns. ``root_id`` 0 is the chain of actions
that concern no organization (an operator key, a sign-in with an unknown email).
"""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Column, Index, Integer, String, Table

from consentline.store.tables import Id, metadata
from consentline.store.types import UTCDateTime

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Id, primary_key=True),
    Column("root_id", BigInteger, nullable=False),
    Column("org_id", BigInteger, nullable=True),
    Column("seq", Integer, nullable=False),
    Column("at", UTCDateTime(), nullable=False),
    Column("actor", String(400), nullable=False),
    Column("action", String(100), nullable=False),
    Column("target_type", String(50), nullable=False),
    Column("target_id", String(200), nullable=True),
    Column("before", JSON, nullable=True),
    Column("after", JSON, nullable=True),
    Column("source", String(100), nullable=False),
    Column("hash", String(64), nullable=False),
    Index("uq_audit_log_chain", "root_id", "seq", unique=True),
    Index("ix_audit_log_root_at", "root_id", "at"),
)

audit_heads = Table(
    "audit_heads",
    metadata,
    Column("root_id", BigInteger, primary_key=True, autoincrement=False),
    Column("length", Integer, nullable=False),
    Column("head", String(64), nullable=False),
)
