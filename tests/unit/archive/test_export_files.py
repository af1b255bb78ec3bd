"""EML headers hold any name (encoded, on one line), and exports finish whole or not at all."""

from __future__ import annotations

import email
from email import policy
from pathlib import Path
from typing import Any

import pytest

from consentline.archive.export import finished_or_absent, to_eml, write_eml_zip


def _record(employee: str, **changes: Any) -> dict[str, Any]:
    record = {
        "type": "message",
        "id": 7,
        "conversation_id": 3,
        "organization": 'Zoë\'s "Bank"',
        "employee": employee,
        "line": "+15550001001",
        "contact": "+15557770001",
        "sender": "+15550001001",
        "recipient": "+15557770001",
        "channel": "sms",
        "direction": "outbound",
        "created_at": "2026-01-05T09:00:00.000000Z",
        "consent_state": "opted_in",
        "status": "sent",
        "chain_seq": 1,
        "chain_hash": "ab" * 32,
        "body": "Hello\nthere",
    }
    return {**record, **changes}


@pytest.mark.parametrize("employee", ["Ada\nLovelace", 'Ada "the" Lovelace\r\n', "Łukasz Żółć"])
def test_any_name_makes_a_parseable_message(employee: str) -> None:
    data = to_eml(_record(employee))
    parsed = email.message_from_bytes(data, policy=policy.default)
    expected = " ".join(employee.split())
    assert str(parsed["X-ConsentLine-Employee"]) == expected
    assert parsed["From"].addresses[0].display_name == f"{expected} (+15550001001)"
    assert parsed.get_content().rstrip("\n") == "Hello\nthere"
    assert all(ord(b) < 128 for b in data.decode("ascii"))  # headers encoded, not raw UTF-8


def test_a_failing_export_leaves_no_file_and_keeps_the_last_one(tmp_path: Path) -> None:
    target = tmp_path / "export.zip"
    target.write_bytes(b"the earlier export")

    def rows() -> Any:
        yield _record("Ada")
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError), finished_or_absent(target) as partial:
        write_eml_zip(rows(), partial)
    assert target.read_bytes() == b"the earlier export"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export.zip"]

    with finished_or_absent(target) as partial:
        assert write_eml_zip(iter([_record("Ada")]), partial) == 1
    assert target.read_bytes().startswith(b"PK")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export.zip"]
