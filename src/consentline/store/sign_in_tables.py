"""Tables of the stronger sign-ins: single sign-on per main organization, and TOTP.

``sso_providers`` holds one OpenID Connect provider per root organization; its client
secret is kept to be sent to the provider and is never shown back. ``totp_factors`` holds a
user's TOTP secret (``enabled_at`` empty while the user has not confirmed a code yet) and
the last time step used, so a code cannot be used twice. ``recovery_codes`` keeps only
hashes of the one-time codes.
"""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Boolean, Column, ForeignKey, String, Table

from consentline.store.tables import Id, metadata
from consentline.store.types import UTCDateTime

sso_providers = Table(
    "sso_providers",
    metadata,
    Column("root_id", Id, ForeignKey("orgs.id"), primary_key=True),
    Column("label", String(100), nullable=False),
    Column("issuer", String(500), nullable=False),
    Column("client_id", String(500), nullable=False),
    Column("client_secret", String(500), nullable=False),
    Column("allowed_domains", JSON, nullable=False),
    Column("privileges_claim", String(100), nullable=True),
    Column("claim_privileges", JSON, nullable=False),
    Column("create_users", Boolean, nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)

sign_in_policies = Table(
    "sign_in_policies",
    metadata,
    Column("root_id", Id, ForeignKey("orgs.id"), primary_key=True),
    Column("require_totp", Boolean, nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)

totp_factors = Table(
    "totp_factors",
    metadata,
    Column("user_id", Id, ForeignKey("users.id"), primary_key=True),
    Column("secret", String(64), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("enabled_at", UTCDateTime(), nullable=True),
    Column("last_step", BigInteger, nullable=True),
)

recovery_codes = Table(
    "recovery_codes",
    metadata,
    Column("id", Id, primary_key=True),
    Column("user_id", Id, ForeignKey("users.id"), nullable=False, index=True),
    Column("code_hash", String(64), nullable=False),
    Column("used_at", UTCDateTime(), nullable=True),
)
