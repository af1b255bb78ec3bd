"""What the outbox worker needs of a carrier: the ports the providers implement.

The worker (``service.outbox_worker``) sends through a ``Provider``; the transports
(``providers/``: simulator, Twilio, WhatsApp, employee app) implement it and a
``ProviderRouter`` (``providers.router.Carriers``) picks one per item.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from sqlalchemy import Engine

from consentline.store.outbox import OutboxItem


class Provider(Protocol):
    name: str

    def send(self, item: OutboxItem) -> str | None:
        """Send once; the carrier's message id, or raise (``SendError`` to classify)."""
        ...


@runtime_checkable
class Reconciling(Protocol):
    """A carrier that can say whether an earlier attempt of an item already went out."""

    def find_sent(self, item: OutboxItem) -> str | None: ...


def settles_doubt(provider: Provider) -> bool:
    """Whether an attempt in doubt on this carrier can be settled without a person: it can
    be asked (``Reconciling``) or sending again is harmless (``idempotent``)."""
    return isinstance(provider, Reconciling) or bool(getattr(provider, "idempotent", False))


class SendError(Exception):
    """A failed send, classified: retry later, give up, or the contact opted out."""

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        retryable: bool = True,
        in_doubt: bool = False,
        opted_out: bool = False,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.retryable = retryable
        self.in_doubt = in_doubt
        self.opted_out = opted_out

    def __str__(self) -> str:
        text = super().__str__()
        return f"{self.code}: {text}" if self.code else text


class ProviderRouter(Protocol):
    """Chooses the provider for an item (by its organization, line, channel and side)."""

    def provider_for(self, engine: Engine, item: OutboxItem) -> Provider: ...


@runtime_checkable
class BatchRouter(Protocol):
    """A router that reads what a whole batch needs at once (one statement, not one an item)."""

    def for_batch(self, engine: Engine, items: Sequence[OutboxItem]) -> ProviderRouter: ...


@dataclass(frozen=True)
class FixedProviders:
    """One provider per side, whatever the organization says (tests and simple setups)."""

    by_destination: Mapping[str, Provider]

    def provider_for(self, engine: Engine, item: OutboxItem) -> Provider:
        return self.by_destination[item.destination]
