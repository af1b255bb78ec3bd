"""Tables of consent operations: staff re-opt-in requests (four eyes) and dossier keys.

Staff decisions and imports themselves are consent events (``consent_events.source`` and
``details``), in the conversation's archive chain like every other consent change.
"""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, String, Table, Text

from consentline.store.tables import Id, metadata
from consentline.store.types import UTCDateTime

# A staff member's request to opt a contact back in: it takes effect only when a second,
# different principal approves it. One row per request; its steps are its columns.
consent_requests = Table(
    "consent_requests",
    metadata,
    Column("id", Id, primary_key=True),
    Column("root_id", Id, ForeignKey("orgs.id"), nullable=False),
    Column("org_id", Id, ForeignKey("orgs.id"), nullable=False),
    Column("line_id", Id, ForeignKey("lines.id"), nullable=True),
    Column("contact", String(20), nullable=False),
    Column("channel", String(20), nullable=False),
    Column("method", String(20), nullable=False),
    Column("note", Text, nullable=False),
    Column("evidence_url", Text, nullable=True),
    Column("status", String(20), nullable=False),
    Column("requested_by", String(300), nullable=False),
    Column("requested_at", UTCDateTime(), nullable=False),
    Column("decided_by", String(300), nullable=True),
    Column("decided_at", UTCDateTime(), nullable=True),
    Index("ix_consent_requests_root_status", "root_id", "status", "id"),
    CheckConstraint("status IN ('pending','approved','rejected')", name="status"),
)

# The Ed25519 key each root organization signs its consent dossiers with, made on first use.
# The private key is the raw 32 bytes, base64; the public key is published to verifiers.
dossier_keys = Table(
    "dossier_keys",
    metadata,
    Column("root_id", Id, ForeignKey("orgs.id"), primary_key=True),
    Column("private_key", String(100), nullable=False),
    Column("public_key", String(100), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
)
