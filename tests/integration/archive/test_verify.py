"""``archive verify`` on real traffic, and each kind of tampering caught, on both databases."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import Connection, Engine, delete, insert, select, update
from typer.testing import CliRunner

from consentline.cli import app
from consentline.domain import archive_chain as chain
from consentline.service.archive_verify import verify
from consentline.store import checkpoints
from consentline.store.tables import (
    consent_events,
    conversations,
    holds,
    message_events,
    messages,
    outbox,
)
from tests.helpers import FakeClock
from tests.integration.archive.conftest import ALICE, BOB
from tests.integration.conftest import Gateway


def _conversation_id(conn: Connection, contact: str) -> int:
    return int(
        conn.execute(
            select(conversations.c.id).where(conversations.c.contact == contact)
        ).scalar_one()
    )


def _first_message(conn: Connection, contact: str) -> int:
    cid = _conversation_id(conn, contact)
    query = select(messages.c.id).where(messages.c.conversation_id == cid).order_by(messages.c.id)
    return int(conn.execute(query).scalars().first() or 0)


def test_real_traffic_is_sealed_and_verifies(traffic: Gateway, engine: Engine) -> None:
    result = verify(engine)
    assert result.problem is None
    with engine.connect() as conn:
        cid = _conversation_id(conn, ALICE)
        length = conn.execute(
            select(conversations.c.chain_length).where(conversations.c.id == cid)
        ).scalar_one()
        seqs = sorted(
            seq
            for table in (messages, message_events, consent_events)
            for seq in conn.execute(
                select(table.c.chain_seq).where(table.c.conversation_id == cid)
            ).scalars()
        )
    assert seqs == list(range(1, length + 1))
    assert result.records >= length > 6
    assert result.conversations == 2


def _change_body(conn: Connection) -> str:
    mid = _first_message(conn, ALICE)
    conn.execute(update(messages).where(messages.c.id == mid).values(body="Hi Grace!"))
    return f"messages id {mid}"


def _change_status(conn: Connection) -> str:
    cid = _conversation_id(conn, ALICE)
    event_id = (
        conn.execute(
            select(message_events.c.id)
            .where(message_events.c.conversation_id == cid, message_events.c.status == "held")
            .order_by(message_events.c.id)
        )
        .scalars()
        .first()
    )
    conn.execute(
        update(message_events).where(message_events.c.id == event_id).values(status="discarded")
    )
    return f"message_events id {event_id}"


def _remove_record(conn: Connection) -> str:
    cid = _conversation_id(conn, ALICE)
    conn.execute(
        delete(consent_events).where(
            consent_events.c.conversation_id == cid, consent_events.c.chain_seq < 8
        )
    )
    return "is missing"


def _insert_record(conn: Connection) -> str:
    """An extra status event with a correctly computed hash, appended after the head."""
    cid = _conversation_id(conn, ALICE)
    head = conn.execute(
        select(conversations.c.chain_length, conversations.c.chain_head).where(
            conversations.c.id == cid
        )
    ).one()
    mid = _first_message(conn, ALICE)
    fields = {
        "message_id": mid,
        "conversation_id": cid,
        "status": "delivered",
        "reason": None,
        "consent_state": "opted_in",
        "created_at": FakeClock()(),
    }
    new_id = conn.execute(
        insert(message_events).values(**fields, chain_seq=head.chain_length + 1)
    ).inserted_primary_key[0]  # type: ignore[index]
    forged = chain.link(
        head.chain_head, "message_events", head.chain_length + 1, {**fields, "id": new_id}
    )
    conn.execute(
        update(message_events).where(message_events.c.id == new_id).values(chain_hash=forged)
    )
    return "chain ends at seq"


def _reorder_records(conn: Connection) -> str:
    cid = _conversation_id(conn, ALICE)
    rows = conn.execute(
        select(messages.c.id, messages.c.chain_seq)
        .where(messages.c.conversation_id == cid)
        .order_by(messages.c.chain_seq)
        .limit(2)
    ).all()
    (first, first_seq), (second, second_seq) = rows
    conn.execute(update(messages).where(messages.c.id == first).values(chain_seq=-1))
    conn.execute(update(messages).where(messages.c.id == second).values(chain_seq=first_seq))
    conn.execute(update(messages).where(messages.c.id == first).values(chain_seq=second_seq))
    return f"conversation {cid}"


def _remove_newest(conn: Connection) -> str:
    cid = _conversation_id(conn, BOB)
    length = conn.execute(
        select(conversations.c.chain_length).where(conversations.c.id == cid)
    ).scalar_one()
    for table in (consent_events, message_events):
        conn.execute(
            delete(table).where(table.c.conversation_id == cid, table.c.chain_seq == length)
        )
    return f"conversation {cid}: newest record(s) removed: chain ends at seq {length - 1}"


def _remove_conversation(conn: Connection) -> str:
    cid = _conversation_id(conn, BOB)
    ids = select(messages.c.id).where(messages.c.conversation_id == cid)
    from consentline.store.tables import simulator_deliveries

    outbox_ids = select(outbox.c.id).where(outbox.c.message_id.in_(ids))
    conn.execute(
        delete(simulator_deliveries).where(simulator_deliveries.c.outbox_id.in_(outbox_ids))
    )
    conn.execute(delete(outbox).where(outbox.c.message_id.in_(ids)))
    conn.execute(delete(holds).where(holds.c.conversation_id == cid))
    for table in (consent_events, message_events, messages):
        conn.execute(delete(table).where(table.c.conversation_id == cid))
    conn.execute(delete(conversations).where(conversations.c.id == cid))
    return f"conversation {cid}: removed"


TAMPERING: dict[str, Callable[[Connection], str]] = {
    "changed body": _change_body,
    "changed status": _change_status,
    "removed record": _remove_record,
    "inserted record": _insert_record,
    "reordered records": _reorder_records,
    "removed newest record": lambda conn: _remove_newest(conn) and "records removed",
    "removed conversation": _remove_conversation,
}


@pytest.mark.parametrize("kind", list(TAMPERING))
def test_tampering_is_detected_and_named(traffic: Gateway, engine: Engine, kind: str) -> None:
    with engine.begin() as conn:
        checkpoints.seal(conn, traffic.org_id, FakeClock()())
    assert verify(engine).problem is None
    with engine.begin() as conn:
        expected = TAMPERING[kind](conn)
    problem = verify(engine).problem
    assert problem is not None
    assert expected in problem


def test_removing_the_newest_record_is_caught_by_the_head_without_a_checkpoint(
    traffic: Gateway, engine: Engine
) -> None:
    with engine.begin() as conn:
        expected = _remove_newest(conn)
    problem = verify(engine).problem
    assert problem is not None
    assert expected in problem


def test_a_removed_conversation_without_a_checkpoint_is_not_claimed_detected_by_counts(
    traffic: Gateway, engine: Engine
) -> None:
    """The seal is what proves a conversation existed: documented limit, tested as such."""
    with engine.begin() as conn:
        _remove_conversation(conn)
    assert verify(engine).problem is None


def test_a_changed_checkpoint_is_detected(traffic: Gateway, engine: Engine) -> None:
    from consentline.store.compliance_tables import archive_checkpoint_entries

    with engine.begin() as conn:
        checkpoints.seal(conn, traffic.org_id, FakeClock()())
        conn.execute(update(archive_checkpoint_entries).values(chain_seq=1))
    problem = verify(engine).problem
    assert problem is not None
    assert "entries were changed" in problem


def test_the_cli_exits_0_when_intact_and_1_naming_the_record(
    traffic: Gateway, engine: Engine, database_url: str
) -> None:
    runner = CliRunner()
    ok = runner.invoke(app, ["archive", "verify", "--database-url", database_url, "--quiet"])
    assert ok.exit_code == 0, ok.output
    assert "intact" in ok.output
    with engine.begin() as conn:
        where = _change_body(conn)
    bad = runner.invoke(app, ["archive", "verify", "--database-url", database_url])
    assert bad.exit_code == 1
    assert "TAMPERED" in bad.output
    assert where in bad.output
