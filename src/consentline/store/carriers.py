"""Reading and writing each root organization's carrier settings."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, insert, select, update

from consentline.domain.carriers import CarrierSettings
from consentline.store.carrier_tables import provider_settings


def load(conn: Connection, root_id: int) -> CarrierSettings:
    row = conn.execute(
        select(provider_settings).where(provider_settings.c.root_id == root_id)
    ).first()
    return CarrierSettings(dict(row.config), dict(row.secrets)) if row else CarrierSettings()


def load_many(conn: Connection, root_ids: set[int]) -> dict[int, CarrierSettings]:
    """Several organizations' settings in one statement (one outbox batch's)."""
    query = select(provider_settings).where(provider_settings.c.root_id.in_(sorted(root_ids)))
    found = {
        row.root_id: CarrierSettings(dict(row.config), dict(row.secrets))
        for row in conn.execute(query)
    }
    return {root: found.get(root, CarrierSettings()) for root in root_ids}


def save(conn: Connection, root_id: int, settings: CarrierSettings, now: datetime) -> None:
    values = {"config": settings.config, "secrets": settings.secrets, "updated_at": now}
    updated = conn.execute(
        update(provider_settings).where(provider_settings.c.root_id == root_id).values(values)
    ).rowcount
    if not updated:
        conn.execute(insert(provider_settings).values(root_id=root_id, **values))


def every(conn: Connection) -> list[tuple[int, CarrierSettings]]:
    """Every organization's settings: webhooks that carry no line find their account here."""
    rows = conn.execute(select(provider_settings).order_by(provider_settings.c.root_id))
    return [(row.root_id, CarrierSettings(dict(row.config), dict(row.secrets))) for row in rows]
