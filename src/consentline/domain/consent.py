"""The consent record of one conversation (line, contact, channel) and its vocabulary."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from consentline.domain.settings import Mode


class State(StrEnum):
    NONE = "none"
    PENDING = "pending"
    OPTED_IN = "opted_in"
    OPTED_OUT = "opted_out"
    DISCLAIMER_SENT = "disclaimer_sent"


class Party(StrEnum):
    CONTACT = "contact"
    EMPLOYEE = "employee"
    SYSTEM = "system"


class Status(StrEnum):
    DELIVERED = "delivered"
    HELD = "held"
    BLOCKED = "blocked"
    DISCARDED = "discarded"
    EXPIRED = "expired"
    KEYWORD = "keyword"


class Kind(StrEnum):
    USER = "user"
    AUTO = "auto"


@dataclass(frozen=True)
class ConsentRecord:
    state: State = State.NONE
    mode: Mode | None = None
    initiated_by: Party | None = None
    requested_at: datetime | None = None
    last_request_at: datetime | None = None
    request_text: str | None = None
    decided_at: datetime | None = None
    optout_source: str | None = None
    """Who reported the current opt-out when a carrier did (``twilio:21610``)."""

    def effective_state(self, mode: Mode | None) -> State:
        """The state as the given mode reads it (SPEC §3.4)."""
        if mode is Mode.CONSENT and self.state is State.DISCLAIMER_SENT:
            return State.NONE
        if mode is Mode.DISCLAIMER:
            if self.state is State.PENDING:
                return State.NONE
            if self.state is State.OPTED_IN:
                return State.DISCLAIMER_SENT
        return self.state


def cycle_prefix(initiated_by: Party | None) -> str:
    """Template prefix after who started the cycle: ``mt_`` (contact) or ``mo_`` (employee)."""
    return "mo_" if initiated_by is Party.EMPLOYEE else "mt_"
