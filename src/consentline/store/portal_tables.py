"""Tables of the management portal: failed sign-in attempts, kept to slow down guessing.

In the database, not in memory, so every worker process sees the same count. Each failure
is counted for the email tried and for the client address it came from (``ip``; empty in
rows written before addresses were kept, and when the server did not know the address).
"""

from __future__ import annotations

from sqlalchemy import Column, Index, String, Table

from consentline.store.tables import Id, metadata
from consentline.store.types import UTCDateTime

login_failures = Table(
    "login_failures",
    metadata,
    Column("id", Id, primary_key=True),
    Column("email", String(320), nullable=False),
    Column("ip", String(64), nullable=True),
    Column("attempted_at", UTCDateTime(), nullable=False),
    Index("ix_login_failures_email_time", "email", "attempted_at"),
    Index("ix_login_failures_ip_time", "ip", "attempted_at"),
)
