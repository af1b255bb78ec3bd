"""Held messages past ``hold_max_age`` become expired; nothing is sent for them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import Engine

from consentline.domain.consent import Status
from consentline.domain.policy import expire_held
from consentline.service.settings import policy_settings
from consentline.service.unit_of_work import UnitOfWork
from consentline.store import conversations as store


def expire_overdue(engine: Engine, clock: Callable[[], datetime]) -> int:
    """Expire every overdue held message; returns how many expired."""
    with UnitOfWork(engine) as uow:
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
        # One transaction per conversation: a long sweep never blocks live traffic for long.
        with UnitOfWork(engine) as uow:
            conversation = store.lock_conversation_by_id(uow.connection, conversation_id)
            overdue = expire_held(conversation.held, now, max_age)
            state = conversation.record.state.value
            chain = conversation.archive_chain()
            for message_id in overdue:
                store.append_status(
                    uow.connection,
                    chain,
                    message_id,
                    Status.EXPIRED,
                    "hold_max_age",
                    state,
                    now,
                )
            store.release_holds(uow.connection, list(overdue))
            chain.close(uow.connection)
            uow.commit()
            expired += len(overdue)
    return expired
