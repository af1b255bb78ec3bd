"""Archive chain version 2: a record is written once, already sealed, and records written
by earlier versions (version 1: the row id hashed, sealed by an UPDATE) still verify."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Engine, event, select, update

from consentline.domain import archive_chain as chain
from consentline.service.archive_verify import verify
from consentline.store.tables import consent_events, conversations, message_events, messages
from tests.helpers import FakeClock
from tests.integration.archive.conftest import ALICE
from tests.integration.conftest import Gateway

ARCHIVE = (messages, message_events, consent_events)


def _alice(conn: Connection) -> int:
    query = select(conversations.c.id).where(conversations.c.contact == ALICE)
    return int(conn.execute(query).scalar_one())


def _records(conn: Connection, cid: int) -> list[tuple[Any, Any]]:
    found = [
        (table, row)
        for table in ARCHIVE
        for row in conn.execute(select(table).where(table.c.conversation_id == cid))
    ]
    return sorted(found, key=lambda item: int(item[1].chain_seq))


def _rewrite_as_version_1(conn: Connection, cid: int) -> int:
    """Seal a conversation's records as the version before 2 did: row id hashed, no
    ``chain_version``; returns how many records were rewritten."""
    identity = conn.execute(select(conversations).where(conversations.c.id == cid)).one()
    head = chain.genesis(identity._mapping)
    records = _records(conn, cid)
    for table, row in records:
        fields = {**row._mapping, "chain_version": None}
        head = chain.link(head, table.name, row.chain_seq, fields)
        conn.execute(
            update(table).where(table.c.id == row.id).values(chain_version=None, chain_hash=head)
        )
    conn.execute(update(conversations).where(conversations.c.id == cid).values(chain_head=head))
    return len(records)


def test_new_records_are_version_2_and_written_once(gateway: Gateway, engine: Engine) -> None:
    written: list[str] = []

    def watch(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        words = statement.split()
        if words[0] == "UPDATE" and words[1] in {t.name for t in ARCHIVE}:
            written.append(statement)

    event.listen(engine, "before_cursor_execute", watch)
    try:
        gateway.inbound(ALICE, "Hi Grace")
        gateway.inbound(ALICE, "yes")
        gateway.outbound(ALICE, "Hello Alice")
    finally:
        event.remove(engine, "before_cursor_execute", watch)
    assert written == []  # no record is sealed after it is inserted
    with engine.connect() as conn:
        versions = {row.chain_version for _, row in _records(conn, _alice(conn))}
    assert versions == {chain.VERSION}
    assert verify(engine).problem is None


def test_version_1_records_still_verify_and_the_chain_goes_on_in_version_2(
    gateway: Gateway, engine: Engine, clock: FakeClock
) -> None:
    gateway.inbound(ALICE, "Hi Grace")
    gateway.inbound(ALICE, "yes")
    with engine.begin() as conn:
        old = _rewrite_as_version_1(conn, _alice(conn))
    assert old >= 5
    assert verify(engine).problem is None
    clock.advance(minutes=1)
    gateway.outbound(ALICE, "Hello Alice")
    gateway.inbound(ALICE, "Thanks")
    with engine.connect() as conn:
        versions = [row.chain_version for _, row in _records(conn, _alice(conn))]
    assert versions[:old] == [None] * old
    assert set(versions[old:]) == {chain.VERSION}
    result = verify(engine)
    assert result.problem is None
    assert result.records == len(versions)


def test_a_version_changed_either_way_breaks_the_chain(gateway: Gateway, engine: Engine) -> None:
    gateway.inbound(ALICE, "Hi Grace")
    gateway.inbound(ALICE, "yes")
    with engine.begin() as conn:
        cid = _alice(conn)
        first_message = min(row.id for t, row in _records(conn, cid) if t is messages)
        conn.execute(
            update(messages).where(messages.c.id == first_message).values(chain_version=None)
        )
    problem = verify(engine).problem
    assert problem is not None
    assert f"messages id {first_message}" in problem

    with engine.begin() as conn:
        conn.execute(update(messages).where(messages.c.id == first_message).values(chain_version=2))
        _rewrite_as_version_1(conn, cid)
    assert verify(engine).problem is None
    with engine.begin() as conn:
        conn.execute(update(messages).where(messages.c.id == first_message).values(chain_version=2))
    problem = verify(engine).problem
    assert problem is not None
    assert f"messages id {first_message}" in problem
