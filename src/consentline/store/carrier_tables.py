"""Carrier settings of each root organization (which provider serves which lines), and the
parts of every signed notification the carriers sent.

``config`` holds what may be shown (numbers, ids, template names, the app's URL); ``secrets``
holds credentials, which the API reports only as set or not set and logs never show.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, ForeignKey, Index, String, Table, Text, UniqueConstraint

from consentline.store.tables import Id, metadata
from consentline.store.types import UTCDateTime

provider_settings = Table(
    "provider_settings",
    metadata,
    Column("root_id", Id, ForeignKey("orgs.id"), primary_key=True),
    Column("config", JSON, nullable=False),
    Column("secrets", JSON, nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)

# Every part of a signed carrier notification, as received: a message, a delivery status, a
# system notice, a preference change, or anything else. ``payload`` is the part's JSON with
# every non-ASCII character escaped, so NUL bytes and lone surrogates survive intact in any
# database; ``part_key`` (a hash of the part) makes a carrier's retry change nothing.
carrier_parts = Table(
    "carrier_parts",
    metadata,
    Column("id", Id, primary_key=True),
    Column("root_id", Id, ForeignKey("orgs.id"), nullable=False),
    Column("carrier", String(20), nullable=False),
    Column("part_key", String(64), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("part_type", String(50), nullable=False),
    Column("provider_message_id", String(200), nullable=True),
    Column("line_id", Id, ForeignKey("lines.id"), nullable=True),
    Column("contact", String(150), nullable=True),
    Column("sender_id", String(150), nullable=True),
    Column("message_id", Id, ForeignKey("messages.id"), nullable=True),
    Column("media_id", String(200), nullable=True),
    Column("error_code", String(50), nullable=True),
    Column("outcome", String(50), nullable=False),
    Column("payload", Text, nullable=False),
    Column("received_at", UTCDateTime(), nullable=False),
    UniqueConstraint("root_id", "carrier", "part_key", name="uq_carrier_parts_key"),
    Index("ix_carrier_parts_message", "message_id"),
)
