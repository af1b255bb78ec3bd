"""Every table of every area, on one MetaData: what migrations and schema checks compare.

Each area keeps its tables in its own module; importing them here registers them.
"""

from __future__ import annotations

from consentline.store import (
    access_tables,
    audit_tables,
    carrier_tables,
    compliance_tables,
    consent_ops_tables,
    health_tables,
    portal_tables,
    search_tables,
    sign_in_tables,
    tables,
)
from consentline.store.tables import metadata

__all__ = [
    "access_tables",
    "audit_tables",
    "carrier_tables",
    "compliance_tables",
    "consent_ops_tables",
    "health_tables",
    "metadata",
    "portal_tables",
    "search_tables",
    "sign_in_tables",
    "tables",
]
