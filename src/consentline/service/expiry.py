"""Held messages past ``hold_max_age`` become expired; nothing is sent for them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from consentline.domain.policy import expiry
from consentline.service.record_decision import record_decision
from consentline.service.settings import policy_settings
from consentline.service.unit_of_work import UnitsOfWork
from consentline.store import conversations as store


def expire_overdue(new_unit_of_work: UnitsOfWork, clock: Callable[[], datetime]) -> int:
    """Expire every overdue held message; returns how many expired. One transaction per
    conversation: a long sweep never blocks live traffic for long."""
    with new_unit_of_work(read_only=True) as uow:
        now = clock()
        due: list[tuple[int, int]] = []
        for root_id in store.roots_with_holds(uow.connection):
            max_age = policy_settings(uow, root_id).hold_max_age
            cutoff = now - timedelta(seconds=max_age)
            for conversation_id in store.overdue_hold_conversations(
                uow.connection, root_id, cutoff
            ):
                due.append((conversation_id, max_age))
    expired = 0
    for conversation_id, max_age in due:
        with new_unit_of_work() as uow:
            conversation = store.lock_conversation_by_id(uow.connection, conversation_id)
            decision = expiry(conversation.record, conversation.held, now, max_age)
            record_decision(uow.connection, conversation, decision, None, now)
            uow.commit()
            expired += len(decision.expire)
    return expired
