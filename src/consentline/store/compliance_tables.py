"""Tables of the compliance area: archive checkpoints, retention, the Salesforce connector.

The archive records themselves (messages, message_events, consent_events) carry their chain
position in ``chain_seq``/``chain_hash`` (see ``store/tables.py`` and ``domain/archive_chain.py``).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)

from consentline.store.tables import Id, metadata
from consentline.store.types import UTCDateTime

# A seal over one root organization's archive at one moment: for every conversation, its
# chain length and newest hash then (the entries). Checkpoints of one organization form a
# chain of their own. ``kind`` is 'seal', or 'purge' when retention removed the prefix of
# each listed conversation up to the entry's seq (verification then starts there).
archive_checkpoints = Table(
    "archive_checkpoints",
    metadata,
    Column("id", Id, primary_key=True),
    Column("root_id", Id, ForeignKey("orgs.id"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("kind", String(10), nullable=False),
    Column("conversation_count", Integer, nullable=False),
    Column("record_count", BigInteger, nullable=False),
    Column("entries_digest", String(64), nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    UniqueConstraint("root_id", "seq", name="uq_archive_checkpoints_root_seq"),
    CheckConstraint("kind IN ('seal','purge')", name="kind"),
)

archive_checkpoint_entries = Table(
    "archive_checkpoint_entries",
    metadata,
    Column("checkpoint_id", Id, ForeignKey("archive_checkpoints.id"), primary_key=True),
    Column("conversation_id", Id, primary_key=True),
    Column("chain_seq", Integer, nullable=False),
    Column("chain_hash", String(64), nullable=False),
    Index("ix_archive_checkpoint_entries_conversation", "conversation_id"),
)

# Per root organization; no row means the defaults (6 years, no hold).
archive_retention = Table(
    "archive_retention",
    metadata,
    Column("root_id", Id, ForeignKey("orgs.id"), primary_key=True),
    Column("retention_days", Integer, nullable=False),
    Column("legal_hold", Boolean, nullable=False, server_default=false()),
    Column("legal_hold_reason", Text, nullable=True),
    Column("updated_by", String(200), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)

# One Salesforce org per root organization. The secret fields are never logged or returned.
salesforce_connections = Table(
    "salesforce_connections",
    metadata,
    Column("root_id", Id, ForeignKey("orgs.id"), primary_key=True),
    Column("login_url", String(300), nullable=False),
    Column("api_version", String(10), nullable=False),
    Column("client_id", String(300), nullable=False),
    Column("client_secret", String(300), nullable=False),
    Column("username", String(300), nullable=False),
    Column("password", String(300), nullable=False),
    Column("sobject", String(100), nullable=False),
    Column("external_id_field", String(100), nullable=False),
    Column("enabled", Boolean, nullable=False, server_default=false()),
    Column("created_at", UTCDateTime(), nullable=False),
)

# Consent events waiting to reach Salesforce, keyed by the event: enqueuing twice is a no-op
# and the upsert by external id makes a retried call land on the same Salesforce record.
salesforce_outbox = Table(
    "salesforce_outbox",
    metadata,
    Column("consent_event_id", Id, ForeignKey("consent_events.id"), primary_key=True),
    Column("root_id", Id, ForeignKey("orgs.id"), nullable=False),
    Column("status", String(10), nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", UTCDateTime(), nullable=False),
    Column("last_error", Text, nullable=True),
    Column("salesforce_id", String(40), nullable=True),
    Column("sent_at", UTCDateTime(), nullable=True),
    # Leased as the carriers' outbox is (store.queue): one sync pass at a time per event.
    Column("lease_owner", String(64), nullable=True),
    Column("lease_until", UTCDateTime(), nullable=True),
    Index("ix_salesforce_outbox_due", "status", "next_attempt_at"),
    CheckConstraint("status IN ('pending','sent','dead')", name="status"),
)
