"""Reading and writing each root organization's carrier settings."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, bindparam, insert, select, update

from consentline.domain.carriers import CarrierSettings
from consentline.store.carrier_tables import provider_settings
from consentline.store.orgs import LINE_WITH_POLICY, LineWithPolicy, line_with_policy_of
from consentline.store.tables import lines

# A webhook's line, its organization's policy and its carrier account, in one query.
_LINE_WITH_CARRIER = (
    LINE_WITH_POLICY.add_columns(
        provider_settings.c.config.label("carrier_config"),
        provider_settings.c.secrets.label("carrier_secrets"),
    )
    .outerjoin(provider_settings, provider_settings.c.root_id == lines.c.root_id)
    .where(lines.c.number == bindparam("number"))
)


def load(conn: Connection, root_id: int) -> CarrierSettings:
    row = conn.execute(
        select(provider_settings).where(provider_settings.c.root_id == root_id)
    ).first()
    return CarrierSettings(dict(row.config), dict(row.secrets)) if row else CarrierSettings()


def line_with_carrier(
    conn: Connection, number: str
) -> tuple[LineWithPolicy, CarrierSettings] | None:
    """The line with this number, its policy and its organization's carrier settings."""
    row = conn.execute(_LINE_WITH_CARRIER, {"number": number}).first()
    if row is None:
        return None
    settings = CarrierSettings(dict(row.carrier_config or {}), dict(row.carrier_secrets or {}))
    return line_with_policy_of(row), settings


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
