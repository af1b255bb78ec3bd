"""A table readiness checks write to (and empty again): can a write be committed now?"""

from __future__ import annotations

from sqlalchemy import Column, LargeBinary, Table

from consentline.store.tables import Id, metadata

readiness_probe = Table(
    "readiness_probe",
    metadata,
    Column("id", Id, primary_key=True),
    Column("filler", LargeBinary(), nullable=False),
)
