"""Carrier settings of each root organization: which provider serves which lines.

``config`` holds what may be shown (numbers, ids, template names, the app's URL); ``secrets``
holds credentials, which the API reports only as set or not set and logs never show.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, ForeignKey, Table

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
