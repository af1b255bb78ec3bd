"""A conversation as each side saw it, from the archive: the "Guest View" and the employee's.

Pure: takes the message history of ``conversation_view`` and says which bubbles each phone
shows, with a note on messages that did not reach the other side.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

NOTES = {
    "held": "Held: waiting for consent",
    "blocked": "Not sent: the contact has opted out",
    "discarded": "Discarded: the contact opted out",
    "expired": "Expired: held too long, never delivered",
    "keyword": "Reply recorded (opt-in/opt-out keyword)",
}


@dataclass(frozen=True)
class Bubble:
    id: int
    body: str
    mine: bool
    """Sent from this phone (right side) rather than received."""
    auto: bool
    template: str | None
    status: str | None
    note: str | None
    at: datetime
    """When this side sent it, or received it (a held message: when it was released)."""
    written_at: datetime
    """When it was written: earlier than ``at`` for a held message, else the same."""

    @property
    def waited(self) -> bool:
        """Received noticeably after it was written (it was held for consent)."""
        return (self.at - self.written_at).total_seconds() >= 1


def moment(value: datetime | str) -> datetime:
    """An archive timestamp (ISO 8601 text or a datetime) as a datetime, for ordering."""
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def side_view(
    history: Iterable[Mapping[str, Any]],
    side: str,
    delivered_at: Mapping[int, Any] | None = None,
    arrival: Mapping[int, int] | None = None,
) -> list[Bubble]:
    """What the ``contact`` or the ``employee`` saw: what they sent, and what reached them.

    A received message shows when it was delivered (a held message only once released),
    given ``delivered_at`` by message id; a sent one when it was sent. Ordered by those
    moments (as datetimes: ISO texts with and without fractions do not sort as text), then
    in the order the gateway handled them (``arrival``, by message id).
    """
    bubbles = []
    delivered_at = delivered_at or {}
    for message in history:
        mine = message["sender"] == side
        received = message["recipient"] == side and message["status"] == "delivered"
        if not (mine or received):
            continue
        status = message["status"]
        bubbles.append(
            Bubble(
                id=message["id"],
                body=message["body"],
                mine=mine,
                auto=message["kind"] == "auto",
                template=message["template"],
                status=status,
                note=NOTES.get(status) if mine else None,
                at=moment(
                    message["created_at"]
                    if mine
                    else delivered_at.get(message["id"], message["created_at"])
                ),
                written_at=moment(message["created_at"]),
            )
        )
    arrival = arrival or {}
    return sorted(bubbles, key=lambda bubble: (bubble.at, arrival.get(bubble.id, 0), bubble.id))
