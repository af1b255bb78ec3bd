"""What a carrier says became of a message we sent: a closed set, and which report may
replace which.

Carriers report out of order (a ``sent`` can arrive after its ``delivered``), and more than
once. A report only moves a message forward: ``queued`` < ``sending`` < ``sent`` <
``delivered`` < ``read``, and the failures after all of those but ``read``. ``read``,
``failed``, ``undelivered`` and ``canceled`` are terminal: nothing later changes them (a
late ``failed`` never overwrites a ``read`` of the same send). A status we do not know is
kept as ``unknown``, which anything known replaces.
"""

from __future__ import annotations

from enum import StrEnum


class DeliveryStatus(StrEnum):
    UNKNOWN = "unknown"
    ACCEPTED = "accepted"
    SCHEDULED = "scheduled"
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"
    UNDELIVERED = "undelivered"
    FAILED = "failed"
    CANCELED = "canceled"


_RANK = {
    DeliveryStatus.UNKNOWN: 0,
    DeliveryStatus.ACCEPTED: 1,
    DeliveryStatus.SCHEDULED: 1,
    DeliveryStatus.QUEUED: 1,
    DeliveryStatus.SENDING: 2,
    DeliveryStatus.SENT: 3,
    DeliveryStatus.DELIVERED: 4,
    DeliveryStatus.READ: 5,
    DeliveryStatus.UNDELIVERED: 6,
    DeliveryStatus.FAILED: 6,
    DeliveryStatus.CANCELED: 6,
}

TERMINAL = frozenset(
    {
        DeliveryStatus.READ,
        DeliveryStatus.UNDELIVERED,
        DeliveryStatus.FAILED,
        DeliveryStatus.CANCELED,
    }
)


def parse(reported: str) -> DeliveryStatus:
    """A carrier's status word (Twilio's ``MessageStatus``, WhatsApp's ``status``)."""
    try:
        return DeliveryStatus(reported.strip().lower())
    except ValueError:
        return DeliveryStatus.UNKNOWN


def may_replace(current: DeliveryStatus | None, new: DeliveryStatus) -> bool:
    """Whether a report of ``new`` replaces ``current`` (None: no report yet)."""
    if current is None:
        return True
    if current in TERMINAL:
        return False
    return _RANK[new] > _RANK[current]


def replaced_by(new: DeliveryStatus) -> list[DeliveryStatus]:
    """Every status a report of ``new`` replaces (for the store's one conditional UPDATE)."""
    return [status for status in DeliveryStatus if may_replace(status, new)]
