"""Tables of portal access: signed-in sessions and one-time password reset links.

Only hashes of the secrets are kept: the session id lives in the browser's cookie, the
reset token in the link given once to the person who asked for it.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, ForeignKey, Index, String, Table

from consentline.store.tables import Id, metadata
from consentline.store.types import UTCDateTime

# A browser's session, signed in (user_id set) or not yet (it still holds the CSRF token
# and the next page's message). Rows are deleted when the session ends.
portal_sessions = Table(
    "portal_sessions",
    metadata,
    Column("id", Id, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("user_id", Id, ForeignKey("users.id"), nullable=True, index=True),
    Column("data", JSON, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("last_seen_at", UTCDateTime(), nullable=False, index=True),
    Column("client", String(64), nullable=True),
    Column("user_agent", String(200), nullable=True),
)

password_resets = Table(
    "password_resets",
    metadata,
    Column("id", Id, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("user_id", Id, ForeignKey("users.id"), nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
    Column("used_at", UTCDateTime(), nullable=True),
    Index("ix_password_resets_user", "user_id"),
)
