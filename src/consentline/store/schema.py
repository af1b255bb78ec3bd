"""Every table of every area, on one MetaData: what migrations and schema checks compare.

Each area keeps its tables in its own module; importing them here registers them.
"""

from __future__ import annotations

from consentline.store import (
    carrier_tables,
    compliance_tables,
    consent_ops_tables,
    portal_tables,
    tables,
)
from consentline.store.tables import metadata

__all__ = [
    "carrier_tables",
    "compliance_tables",
    "consent_ops_tables",
    "metadata",
    "portal_tables",
    "tables",
]
