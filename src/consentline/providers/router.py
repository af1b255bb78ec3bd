"""Which provider sends an outbox item: the organization's carrier settings decide."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Engine, select

from consentline.domain.carriers import CarrierSettings, ProviderName
from consentline.domain.messages import Channel
from consentline.providers.employee_app import EmployeeAppProvider
from consentline.providers.simulator import SimulatorProvider
from consentline.providers.twilio import TwilioProvider
from consentline.providers.whatsapp import GRAPH_API, GRAPH_VERSION, WhatsAppProvider
from consentline.service.sending import Provider, ProviderRouter
from consentline.store import carriers as carrier_store
from consentline.store.db import reading
from consentline.store.outbox import OutboxItem
from consentline.store.tables import outbox


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Carriers:
    """Builds each item's provider with its organization's credentials.

    ``twilio_api_base`` and ``graph_api_base`` point the clients elsewhere (the local
    stand-ins in tests); ``public_url`` is where Twilio sends status callbacks.
    """

    public_url: str | None = None
    twilio_api_base: str | None = None
    graph_api_base: str = GRAPH_API
    graph_api_version: str = GRAPH_VERSION
    timeout: float = 15.0
    clock: Callable[[], datetime] = field(default=_utc_now)

    def provider_for(self, engine: Engine, item: OutboxItem) -> Provider:
        with reading(engine) as conn:
            settings = carrier_store.load(conn, item.root_id)
        return self.provider_with(engine, settings, item)

    def for_batch(self, engine: Engine, items: Sequence[OutboxItem]) -> ProviderRouter:
        """The router for one outbox batch: its organizations' settings read at once."""
        with reading(engine) as conn:
            settings = carrier_store.load_many(conn, {item.root_id for item in items})
        return _Loaded(self, settings)

    def provider_with(
        self, engine: Engine, settings: CarrierSettings, item: OutboxItem
    ) -> Provider:
        name = settings.provider_for(item.line_number, Channel(item.channel), item.destination)
        return self._build(engine, settings, name, item)

    def _build(
        self, engine: Engine, settings: CarrierSettings, name: ProviderName, item: OutboxItem
    ) -> Provider:
        if name is ProviderName.TWILIO and settings.twilio is not None:
            return TwilioProvider(
                settings.twilio,
                public_url=self.public_url,
                api_base=self.twilio_api_base,
                timeout=self.timeout,
                is_recorded=lambda sid: _recorded(engine, sid, item.id),
            )
        if name is ProviderName.WHATSAPP and settings.whatsapp is not None:
            return WhatsAppProvider(
                settings.whatsapp,
                settings.whatsapp_lines[item.line_number],
                api_base=self.graph_api_base,
                version=self.graph_api_version,
                timeout=self.timeout,
                clock=self.clock,
            )
        url, secret = settings.employee_app_url, settings.employee_app_secret
        if name is ProviderName.EMPLOYEE_APP and url and secret:
            return EmployeeAppProvider(url, secret, timeout=self.timeout)
        return SimulatorProvider(engine, self.clock)


@dataclass(frozen=True)
class _Loaded:
    """``Carriers`` with one batch's settings already read."""

    carriers: Carriers
    settings: Mapping[int, CarrierSettings]

    def provider_for(self, engine: Engine, item: OutboxItem) -> Provider:
        return self.carriers.provider_with(engine, self.settings[item.root_id], item)


def _recorded(engine: Engine, sid: str, item_id: int) -> bool:
    """Whether another outbox item already holds this carrier message id."""
    query = select(outbox.c.id).where(outbox.c.provider_message_id == sid, outbox.c.id != item_id)
    with reading(engine) as conn:
        return conn.execute(query).first() is not None
