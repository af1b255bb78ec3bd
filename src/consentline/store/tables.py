"""The database schema. Alembic migrations in ``store/migrations`` create exactly this.

The consent record lives on its conversation row (one row per line, contact, channel) and
every change of it is appended to ``consent_events``. Messages are append-only: a message's
status changes are new ``message_events`` rows, and its current status is the newest one.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    true,
)

from consentline.domain.delivery import DeliveryStatus
from consentline.store.types import UTCDateTime

# Integer ids that are 64-bit on PostgreSQL and still SQLite's rowid alias.
Id = BigInteger().with_variant(Integer(), "sqlite")

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

STATES = "'none','pending','opted_in','opted_out','disclaimer_sent'"
STATUSES = "'delivered','held','blocked','discarded','expired','keyword'"

orgs = Table(
    "orgs",
    metadata,
    Column("id", Id, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("parent_id", Id, ForeignKey("orgs.id"), nullable=True),
    Column("root_id", Id, ForeignKey("orgs.id"), nullable=True, index=True),
    Column("created_at", UTCDateTime(), nullable=False),
)

# Settings of a root organization, as one JSON document in the API's nested shape.
org_settings = Table(
    "org_settings",
    metadata,
    Column("root_id", Id, ForeignKey("orgs.id"), primary_key=True),
    Column("document", JSON, nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)

settings_changes = Table(
    "settings_changes",
    metadata,
    Column("id", Id, primary_key=True),
    Column("root_id", Id, ForeignKey("orgs.id"), nullable=False, index=True),
    Column("actor", String(200), nullable=False),
    Column("setting", String(100), nullable=False),
    Column("old_value", JSON, nullable=True),
    Column("new_value", JSON, nullable=True),
    Column("changed_at", UTCDateTime(), nullable=False),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", Id, primary_key=True),
    Column("org_id", Id, ForeignKey("orgs.id"), nullable=True, index=True),
    Column("name", String(200), nullable=False),
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("privileges", JSON, nullable=False),
    Column("is_operator", Boolean, nullable=False, default=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("revoked_at", UTCDateTime(), nullable=True),
    # The key's first characters, to recognize it in lists; never enough to use it.
    Column("prefix", String(16), nullable=True),
    Column("created_by", String(200), nullable=True),
    # Written at most once a minute per key (see store/api_keys.py), not on every request.
    Column("last_used_at", UTCDateTime(), nullable=True),
    Column("expires_at", UTCDateTime(), nullable=True),
)

users = Table(
    "users",
    metadata,
    Column("id", Id, primary_key=True),
    Column("org_id", Id, ForeignKey("orgs.id"), nullable=True, index=True),
    Column("email", String(320), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("password_hash", String(200), nullable=False),
    Column("privileges", JSON, nullable=False),
    Column("is_operator", Boolean, nullable=False, default=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("active", Boolean, nullable=False, default=True, server_default=true()),
)

lines = Table(
    "lines",
    metadata,
    Column("id", Id, primary_key=True),
    Column("org_id", Id, ForeignKey("orgs.id"), nullable=False, index=True),
    Column("root_id", Id, ForeignKey("orgs.id"), nullable=False, index=True),
    Column("number", String(20), nullable=False, unique=True),
    Column("employee_name", String(200), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    # A retired line refuses new messages and keeps its archive.
    Column("retired_at", UTCDateTime(), nullable=True),
)

conversations = Table(
    "conversations",
    metadata,
    Column("id", Id, primary_key=True),
    Column("root_id", Id, ForeignKey("orgs.id"), nullable=False, index=True),
    Column("line_id", Id, ForeignKey("lines.id"), nullable=False),
    # An E.164 number, or on WhatsApp a business-scoped user id (domain/phone.py).
    Column("contact", String(150), nullable=False),
    Column("channel", String(20), nullable=False),
    Column("state", String(20), nullable=False),
    Column("mode", String(20), nullable=True),
    Column("initiated_by", String(20), nullable=True),
    Column("requested_at", UTCDateTime(), nullable=True),
    Column("last_request_at", UTCDateTime(), nullable=True),
    Column("request_text", Text, nullable=True),
    Column("decided_at", UTCDateTime(), nullable=True),
    # Who reported the current opt-out when a carrier did: "carrier:code-or-keyword".
    Column("optout_source", String(100), nullable=True),
    Column("evidence_message_id", Id, nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    # The head of the conversation's archive hash chain (domain/archive_chain.py).
    Column("chain_length", Integer, nullable=False, server_default="0"),
    Column("chain_head", String(64), nullable=True),
    # The language of the contact's last keyword (None: the organization's default).
    Column("language", String(10), nullable=True),
    UniqueConstraint("line_id", "contact", "channel", name="uq_conversations_line_contact"),
    # A contact's conversations on every line of the organization (consent_scope).
    Index("ix_conversations_contact", "root_id", "contact"),
    # The SMS Opt-In Report: one mode of one organization, newest change first.
    Index("ix_conversations_report", "root_id", "mode", "updated_at", "id"),
    CheckConstraint(f"state IN ({STATES})", name="state"),
    CheckConstraint("channel IN ('sms','whatsapp')", name="channel"),
)

consent_events = Table(
    "consent_events",
    metadata,
    Column("id", Id, primary_key=True),
    Column("conversation_id", Id, ForeignKey("conversations.id"), nullable=False, index=True),
    Column("message_id", Id, nullable=True),
    Column("old_state", String(20), nullable=False),
    Column("new_state", String(20), nullable=False),
    Column("mode", String(20), nullable=True),
    Column("initiated_by", String(20), nullable=True),
    Column("request_text", Text, nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("chain_seq", Integer, nullable=True),
    Column("chain_hash", String(64), nullable=True),
    Column("chain_version", SmallInteger, nullable=True),
    Column("optout_source", String(100), nullable=True),
    # A decision that no message made: 'staff' or 'import', with who/how/evidence as
    # canonical JSON text (both hashed in the chain when set).
    Column("source", String(20), nullable=True),
    Column("details", Text, nullable=True),
    Index("uq_consent_events_chain", "conversation_id", "chain_seq", unique=True),
)

messages = Table(
    "messages",
    metadata,
    Column("id", Id, primary_key=True),
    Column("root_id", Id, ForeignKey("orgs.id"), nullable=False),
    Column("conversation_id", Id, ForeignKey("conversations.id"), nullable=False),
    Column("sender", String(20), nullable=False),
    Column("recipient", String(20), nullable=False),
    Column("kind", String(10), nullable=False),
    Column("template", String(50), nullable=True),
    Column("body", Text, nullable=False),
    Column("channel", String(20), nullable=False),
    Column("provider_message_id", String(200), nullable=True),
    Column("group_id", String(40), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("chain_seq", Integer, nullable=True),
    Column("chain_hash", String(64), nullable=True),
    Column("chain_version", SmallInteger, nullable=True),
    Index("ix_messages_conversation", "conversation_id", "id"),
    Index("uq_messages_chain", "conversation_id", "chain_seq", unique=True),
    Index(
        "uq_messages_provider_message_id",
        "root_id",
        "channel",
        "provider_message_id",
        unique=True,
    ),
    CheckConstraint("sender IN ('contact','employee','system')", name="sender"),
    CheckConstraint("recipient IN ('contact','employee')", name="recipient"),
    CheckConstraint("kind IN ('user','auto')", name="kind"),
)

message_events = Table(
    "message_events",
    metadata,
    Column("id", Id, primary_key=True),
    Column("message_id", Id, ForeignKey("messages.id"), nullable=False),
    Column("conversation_id", Id, ForeignKey("conversations.id"), nullable=False),
    Column("status", String(20), nullable=False),
    Column("reason", String(50), nullable=True),
    Column("consent_state", String(20), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("chain_seq", Integer, nullable=True),
    Column("chain_hash", String(64), nullable=True),
    Column("chain_version", SmallInteger, nullable=True),
    Index("ix_message_events_message", "message_id", "id"),
    Index("uq_message_events_chain", "conversation_id", "chain_seq", unique=True),
    Index("ix_message_events_conversation", "conversation_id", "id"),
    CheckConstraint(f"status IN ({STATUSES})", name="status"),
)

# What decisions committed for sending. A row is sent once: a worker leases it (lease_owner,
# lease_until), sends outside any transaction with the row id as idempotency key, and records
# the result. ``in_doubt`` marks an attempt whose outcome was never recorded (a crash, a
# timeout): before sending again the worker asks the carrier whether the first one went out.
# The carrier's delivery reports (status callbacks) land in the delivery_* columns.
outbox = Table(
    "outbox",
    metadata,
    Column("id", Id, primary_key=True),
    Column("message_id", Id, ForeignKey("messages.id"), nullable=False, unique=True),
    Column("destination", String(20), nullable=False),
    Column("status", String(20), nullable=False, default="pending"),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UTCDateTime(), nullable=False),
    Column("last_error", Text, nullable=True),
    Column("sent_at", UTCDateTime(), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("provider", String(20), nullable=True),
    Column("lease_owner", String(64), nullable=True),
    Column("lease_until", UTCDateTime(), nullable=True),
    Column("attempt_started_at", UTCDateTime(), nullable=True),
    Column("in_doubt", Boolean, nullable=False, default=False, server_default=false()),
    Column("provider_message_id", String(200), nullable=True),
    Column("delivery_status", String(30), nullable=True),
    Column("delivery_error", String(100), nullable=True),
    Column("delivery_updated_at", UTCDateTime(), nullable=True),
    # Opt-out confirmations (1) go before ordinary traffic (0): the 5-minute presumption.
    Column("priority", Integer, nullable=False, default=0, server_default="0"),
    Index("ix_outbox_due", "status", "next_attempt_at"),
    Index("ix_outbox_provider_message_id", "provider", "provider_message_id"),
    CheckConstraint("status IN ('pending','sent','dead')", name="status"),
    CheckConstraint(
        "delivery_status IN ({})".format(",".join(f"'{s.value}'" for s in DeliveryStatus)),
        name="delivery_status",
    ),
)

# What the built-in simulator "sent": the phones of the demo read from here.
simulator_deliveries = Table(
    "simulator_deliveries",
    metadata,
    Column("id", Id, primary_key=True),
    Column("outbox_id", Id, ForeignKey("outbox.id"), nullable=False, unique=True),
    Column("side", String(20), nullable=False),
    Column("line_number", String(20), nullable=False),
    Column("contact", String(150), nullable=False),
    Column("channel", String(20), nullable=False),
    Column("body", Text, nullable=False),
    Column("delivered_at", UTCDateTime(), nullable=False),
    Index("ix_simulator_deliveries_phone", "line_number", "contact", "id"),
)

# First answer to each inbound provider message id, replayed when the provider retries.
inbound_receipts = Table(
    "inbound_receipts",
    metadata,
    Column("id", Id, primary_key=True),
    Column("root_id", Id, ForeignKey("orgs.id"), nullable=False),
    Column("channel", String(20), nullable=False),
    Column("provider_message_id", String(200), nullable=False),
    Column("response", JSON, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    UniqueConstraint("root_id", "channel", "provider_message_id", name="uq_inbound_receipts_key"),
)

# Messages waiting for the contact's decision: a working index kept beside the archive so
# that release, discard and expiry need not scan message history. Rows leave when resolved.
holds = Table(
    "holds",
    metadata,
    Column("message_id", Id, ForeignKey("messages.id"), primary_key=True),
    Column("conversation_id", Id, ForeignKey("conversations.id"), nullable=False, index=True),
    Column("root_id", Id, ForeignKey("orgs.id"), nullable=False),
    Column("recipient", String(20), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Index("ix_holds_root_created", "root_id", "created_at"),
)
