"""The parts of signed carrier notifications, kept as received (``carrier_parts``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from consentline.domain.phone import clean_text
from consentline.store.carrier_tables import carrier_parts


@dataclass(frozen=True)
class PartRecord:
    root_id: int
    carrier: str
    part_key: str
    kind: str
    part_type: str
    payload: str
    outcome: str
    provider_message_id: str | None = None
    line_id: int | None = None
    contact: str | None = None
    sender_id: str | None = None
    message_id: int | None = None
    media_id: str | None = None
    error_code: str | None = None


def record_part(conn: Connection, part: PartRecord, now: datetime) -> bool:
    """Keep a part; a part already kept (the carrier's retry) changes nothing. Returns
    whether it was new."""
    values: dict[str, Any] = {**part.__dict__, "received_at": now}
    sizes = {"part_type": 50, "outcome": 50, "error_code": 50, "contact": 150, "sender_id": 150}
    sizes |= {"provider_message_id": 200, "media_id": 200}
    for name, size in sizes.items():
        # Ids come from the carrier's JSON: NUL or a lone surrogate must not fail the insert.
        values[name] = clean_text(values[name])[:size] if values[name] else values[name]
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(carrier_parts)
        .values(**values)
        .on_conflict_do_nothing()
        .returning(carrier_parts.c.id)
    )
    # The row it returns, not ``rowcount``: drivers differ in what a skipped insert counts.
    return conn.execute(statement).first() is not None


def part_known(conn: Connection, root_id: int, carrier: str, part_key: str) -> bool:
    query = select(carrier_parts.c.id).where(
        carrier_parts.c.root_id == root_id,
        carrier_parts.c.carrier == carrier,
        carrier_parts.c.part_key == part_key,
    )
    return conn.execute(query).first() is not None


def count_parts(conn: Connection, root_id: int, carrier: str | None = None) -> int:
    query = (
        select(func.count()).select_from(carrier_parts).where(carrier_parts.c.root_id == root_id)
    )
    if carrier is not None:
        query = query.where(carrier_parts.c.carrier == carrier)
    return int(conn.execute(query).scalar_one())
