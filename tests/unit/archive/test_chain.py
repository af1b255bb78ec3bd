"""The pure hash chain: canonical form, linking, and the walk that finds the first bad record."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from consentline.domain import archive_chain as chain

CONVERSATION = {"id": 7, "root_id": 1, "line_id": 2, "contact": "+15550199001", "channel": "sms"}
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def _message(record_id: int, body: str, minutes: int = 0) -> dict[str, Any]:
    return {
        "id": record_id,
        "conversation_id": 7,
        "root_id": 1,
        "sender": "contact",
        "recipient": "employee",
        "kind": "user",
        "template": None,
        "body": body,
        "channel": "sms",
        "provider_message_id": None,
        "group_id": None,
        "created_at": T0 + timedelta(minutes=minutes),
    }


def _event(record_id: int, message_id: int, status: str) -> dict[str, Any]:
    return {
        "id": record_id,
        "conversation_id": 7,
        "message_id": message_id,
        "status": status,
        "reason": None,
        "consent_state": "pending",
        "created_at": T0,
    }


def _sealed(records: list[tuple[str, dict[str, Any]]]) -> list[chain.Stored]:
    head = chain.genesis(CONVERSATION)
    out = []
    for seq, (table, fields) in enumerate(records, start=1):
        head = chain.link(head, table, seq, fields)
        out.append(chain.Stored(table, seq, head, fields))
    return out


RECORDS = [
    ("messages", _message(1, "Hi Grace")),
    ("message_events", _event(1, 1, "held")),
    ("messages", _message(2, "YES", 1)),
    ("message_events", _event(2, 2, "keyword")),
]


def _walk(records: list[chain.Stored], length: int, head: str | None) -> chain.Problem | None:
    check = chain.ChainCheck(CONVERSATION)
    for record in records:
        check.add(record)
    return check.finish(length, head)


def test_canonical_form_is_sorted_compact_json_with_utc_microseconds() -> None:
    eastern = timezone(timedelta(hours=-5))
    fields = {**_message(1, "Olá"), "created_at": datetime(2026, 1, 5, 4, 0, tzinfo=eastern)}
    text = chain.canonical("messages", 3, fields).decode()
    assert text.startswith('{"_seq":3,"_table":"messages","body":"Olá"')
    assert '"created_at":"2026-01-05T09:00:00.000000Z"' in text
    assert " " not in text.replace("Olá", "")


def test_fields_outside_the_hashed_list_do_not_change_the_hash() -> None:
    plain = chain.link("0" * 64, "messages", 1, _message(1, "a"))
    extra = chain.link("0" * 64, "messages", 1, {**_message(1, "a"), "new_column": "x"})
    assert plain == extra


def test_naive_timestamps_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        chain.canonical("messages", 1, {**_message(1, "a"), "created_at": datetime(2026, 1, 1)})


def test_genesis_binds_the_chain_to_the_conversation() -> None:
    other = {**CONVERSATION, "contact": "+15550199002"}
    assert chain.genesis(CONVERSATION) != chain.genesis(other)


def test_an_intact_chain_passes() -> None:
    records = _sealed(RECORDS)
    assert _walk(records, 4, records[-1].hash) is None


def test_a_changed_field_is_the_first_problem() -> None:
    records = _sealed(RECORDS)
    changed = chain.Stored("messages", 3, records[2].hash, _message(2, "NO", 1))
    problem = _walk([*records[:2], changed, records[3]], 4, records[-1].hash)
    assert problem is not None
    assert (problem.table, problem.record_id, problem.seq) == ("messages", 2, 3)
    assert "hash mismatch" in problem.message


def test_a_removed_record_is_named_by_the_gap() -> None:
    records = _sealed(RECORDS)
    problem = _walk([records[0], records[2], records[3]], 4, records[-1].hash)
    assert problem is not None
    assert "seq 2 is missing" in problem.message


def test_a_duplicated_seq_is_an_inserted_record() -> None:
    records = _sealed(RECORDS)
    intruder = chain.Stored("message_events", 2, "f" * 64, _event(9, 1, "delivered"))
    problem = _walk([*records[:2], intruder, *records[2:]], 4, records[-1].hash)
    assert problem is not None
    assert "appears twice" in problem.message


def test_swapped_records_break_the_links() -> None:
    records = _sealed(RECORDS)
    first, second = records[0], records[2]
    swapped = [
        chain.Stored(second.table, 1, second.hash, second.fields),
        records[1],
        chain.Stored(first.table, 3, first.hash, first.fields),
        records[3],
    ]
    problem = _walk(swapped, 4, records[-1].hash)
    assert problem is not None
    assert problem.seq == 1


def test_a_removed_newest_record_is_caught_by_the_conversation_head() -> None:
    records = _sealed(RECORDS)
    problem = _walk(records[:3], 4, records[-1].hash)
    assert problem is not None
    assert "chain ends at seq 3 of 4" in problem.message


def test_a_head_that_differs_is_caught() -> None:
    records = _sealed(RECORDS)
    problem = _walk(records, 4, "0" * 64)
    assert problem is not None
    assert "newest hash differs" in problem.message


def test_an_unsealed_record_is_reported() -> None:
    problem = _walk([chain.Stored("messages", None, None, _message(1, "x"))], 0, None)
    assert problem is not None
    assert "not sealed" in problem.message


def test_a_walk_resumes_after_a_purged_prefix() -> None:
    records = _sealed(RECORDS)
    check = chain.ChainCheck(CONVERSATION, base_seq=2, base_hash=records[1].hash)
    for record in records[2:]:
        check.add(record)
    assert check.finish(4, records[-1].hash) is None


def test_a_checkpoint_seal_must_still_be_found() -> None:
    records = _sealed(RECORDS)
    check = chain.ChainCheck(CONVERSATION, expected={4: records[3].hash})
    for record in records[:3]:
        check.add(record)
    problem = check.finish(3, records[2].hash)
    assert problem is not None
    assert "checkpoint sealed seq 4" in problem.message


def test_checkpoint_hashes_cover_their_fields_and_predecessor() -> None:
    fields = {
        "root_id": 1,
        "seq": 1,
        "kind": "seal",
        "conversation_count": 2,
        "record_count": 9,
        "entries_digest": chain.digest(["1:4:aa", "2:5:bb"]),
        "created_at": T0,
    }
    one = chain.checkpoint_hash(chain.CHECKPOINT_GENESIS, fields)
    assert one != chain.checkpoint_hash(chain.CHECKPOINT_GENESIS, {**fields, "record_count": 8})
    assert one != chain.checkpoint_hash("0" * 64, fields)
    assert chain.digest(["1:4:aa", "2:5:bb"]) != chain.digest(["2:5:bb", "1:4:aa"])
