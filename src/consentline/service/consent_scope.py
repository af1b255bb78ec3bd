"""How far a contact's opt-out reaches (the root organization's ``consent_scope``).

Under ``line`` a decision holds for its own conversation only. Under ``organization`` an
opt-out on any line blocks the employees' sends on every line of the organization to that
contact on that channel; under ``organization_all_channels`` on every channel too. An opt-in
made on this line after that opt-out lifts the block here (consent is still asked per line).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from consentline.domain.consent import State
from consentline.domain.policy import ScopeBlock
from consentline.domain.settings import ConsentScope, PolicySettings
from consentline.domain.timefmt import iso_z
from consentline.store import conversations as store
from consentline.store.conversations import ConversationRow


def scope_block(
    conn: Connection, settings: PolicySettings, conversation: ConversationRow
) -> ScopeBlock | None:
    """The opt-out elsewhere that blocks sends in this conversation, if any."""
    scope = settings.consent_scope
    if scope is ConsentScope.LINE or conversation.record.state is State.OPTED_OUT:
        return None
    channel = conversation.channel if scope is ConsentScope.ORGANIZATION else None
    return store.opt_out_elsewhere(conn, conversation, channel, conversation.record.decided_at)


def blocked_by_view(block: ScopeBlock) -> dict[str, Any]:
    decided_at = iso_z(block.decided_at)
    return {"line": block.line, "channel": block.channel, "decided_at": decided_at}
