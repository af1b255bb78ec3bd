"""A conversation as each side saw it, from the archive: the "Guest View" and the employee's.

Pure: takes the message history of ``conversation_view`` and says which bubbles each phone
shows, with a note on messages that did not reach the other side.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

NOTES = {
    "held": "Held: waiting for consent",
    "blocked": "Not sent: the contact has opted out",
    "discarded": "Discarded: the contact opted out",
    "expired": "Expired: held too long, never delivered",
    "keyword": "Reply recorded (opt-in/opt-out keyword)",
}
LABELS = {
    "opted_in": "Opted in",
    "opted_out": "Opted out",
    "pending": "Pending consent",
    "disclaimer_sent": "Disclaimer sent",
    "none": "No record yet",
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
    at: Any


def side_view(
    history: Iterable[Mapping[str, Any]],
    side: str,
    delivered_at: Mapping[int, Any] | None = None,
) -> list[Bubble]:
    """What the ``contact`` or the ``employee`` saw: what they sent, and what reached them.

    A received message shows when it was delivered (a held message only once released),
    given ``delivered_at`` by message id; a sent one when it was sent.
    """
    bubbles = []
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
                at=message["created_at"]
                if mine
                else (delivered_at or {}).get(message["id"], message["created_at"]),
            )
        )
    return sorted(bubbles, key=lambda bubble: (str(bubble.at), bubble.id))
