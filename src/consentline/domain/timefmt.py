"""How the API, reports and exports write a moment: ISO 8601 in UTC with a ``Z``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal, overload

Timespec = Literal["auto", "microseconds"]


@overload
def iso_z(moment: datetime, timespec: Timespec = "auto") -> str: ...
@overload
def iso_z(moment: None, timespec: Timespec = "auto") -> None: ...
@overload
def iso_z(moment: datetime | None, timespec: Timespec = "auto") -> str | None: ...
def iso_z(moment: datetime | None, timespec: Timespec = "auto") -> str | None:
    """``2026-03-01T09:30:00.250000Z``; ``None`` stays ``None``. ``auto`` leaves out zero
    microseconds (as ``datetime.isoformat`` does); exports keep a fixed width with
    ``microseconds``. The store hands out aware UTC datetimes; a naive one is taken as UTC."""
    if moment is None:
        return None
    utc = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return utc.replace(tzinfo=None).isoformat(timespec=timespec) + "Z"
