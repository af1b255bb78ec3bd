"""``consentline archive export``: JSON Lines, and EML files in a ZIP parsed back with ``email``."""

from __future__ import annotations

import hashlib
import json
import zipfile
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from typer.testing import CliRunner

from consentline.cli import app
from consentline.store.tables import consent_events, messages
from tests.e2e.reports.conftest import OPTED_IN, OPTED_OUT, WEST_LINE, ReportData
from tests.helpers import Api


def _export(database_url: str, *args: str) -> Any:
    result = CliRunner().invoke(app, ["archive", "export", "--database-url", database_url, *args])
    return result


def _jsonl(database_url: str, path: Path, *args: str) -> list[dict[str, Any]]:
    result = _export(database_url, "--output", str(path), *args)
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    assert f"exported {len(rows)} records" in result.output
    return rows


def test_jsonl_has_one_record_per_message_and_consent_event(
    api: Api, report_data: ReportData, database_url: str, tmp_path: Path
) -> None:
    rows = _jsonl(database_url, tmp_path / "all.jsonl", "--org", str(report_data.tenant.org_id))
    with api.engine.connect() as conn:
        message_count = conn.execute(select(func.count()).select_from(messages)).scalar_one()
        event_count = conn.execute(select(func.count()).select_from(consent_events)).scalar_one()
    assert sum(r["type"] == "message" for r in rows) == message_count
    assert sum(r["type"] == "consent_event" for r in rows) == event_count
    assert [r["created_at"] for r in rows] == sorted(r["created_at"] for r in rows)
    (yes,) = [r for r in rows if r["type"] == "message" and r["body"] == "Yes!"]
    assert yes["sender"] == OPTED_IN
    assert yes["recipient"] == report_data.tenant.line
    assert (yes["direction"], yes["employee"], yes["channel"]) == ("inbound", "Ada Lovelace", "sms")
    assert (yes["status"], yes["consent_state"]) == ("keyword", "opted_in")
    assert yes["created_at"] == "2026-01-06T09:05:00.000000Z"
    assert yes["chain_seq"] > 0
    assert len(yes["chain_hash"]) == 64
    decided = [r for r in rows if r["type"] == "consent_event" and r["new_state"] == "opted_in"]
    assert decided[0]["message_id"] == yes["id"]


def test_jsonl_filters_by_day_and_sub_organization(
    report_data: ReportData, database_url: str, tmp_path: Path
) -> None:
    org = str(report_data.tenant.org_id)
    day = _jsonl(
        database_url,
        tmp_path / "d.jsonl",
        "--org",
        org,
        "--from",
        "2026-01-06",
        "--to",
        "2026-01-06",
    )
    assert day
    assert {r["created_at"][:10] for r in day} == {"2026-01-06"}
    west = _jsonl(database_url, tmp_path / "w.jsonl", "--org", str(report_data.west_id))
    assert west
    assert {r["line"] for r in west} == {WEST_LINE}
    assert {r["contact"] for r in west} == {OPTED_OUT}
    assert {r["sub_organization"] for r in west} == {"West Region"}


def test_eml_zip_parses_back_and_its_manifest_matches(
    report_data: ReportData, database_url: str, tmp_path: Path
) -> None:
    org = str(report_data.tenant.org_id)
    expected = _jsonl(database_url, tmp_path / "all.jsonl", "--org", org)
    path = tmp_path / "archive.zip"
    result = _export(database_url, "--org", org, "--format", "eml", "--output", str(path))
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        names = [n for n in archive.namelist() if n.endswith(".eml")]
        assert manifest["count"] == len(names) == len(expected)
        assert [f["file"] for f in manifest["files"]] == names
        mails: dict[str, EmailMessage] = {}
        for entry in manifest["files"]:
            data = archive.read(entry["file"])
            assert hashlib.sha256(data).hexdigest() == entry["sha256"]
            mail = message_from_bytes(data, policy=policy.default)
            assert isinstance(mail, EmailMessage)
            mails[entry["file"]] = mail
    yes = next(m for m in mails.values() if m.get_content().strip() == "Yes!")
    assert OPTED_IN in str(yes["From"])
    assert report_data.tenant.line in str(yes["To"])
    assert "Ada Lovelace" in str(yes["To"])
    assert yes["X-ConsentLine-Employee"] == "Ada Lovelace"
    assert yes["X-ConsentLine-Line"] == report_data.tenant.line
    assert yes["X-ConsentLine-Channel"] == "sms"
    assert yes["X-ConsentLine-Direction"] == "inbound"
    assert yes["X-ConsentLine-Consent-State"] == "opted_in"
    assert yes["X-ConsentLine-Timestamp-UTC"] == "2026-01-06T09:05:00.000000Z"
    assert parsedate_to_datetime(str(yes["Date"])) == datetime(2026, 1, 6, 9, 5, tzinfo=UTC)
    outbound = next(m for m in mails.values() if m.get_content().strip() == "Welcome aboard")
    assert outbound["X-ConsentLine-Direction"] == "outbound"
    assert "Ada Lovelace" in str(outbound["From"])
    assert outbound["X-ConsentLine-Consent-State"] == "disclaimer_sent"
    consent = [m for m in mails.values() if m["X-ConsentLine-Record"] == "consent_event"]
    assert len(consent) == sum(r["type"] == "consent_event" for r in expected)


def test_an_unknown_organization_is_refused(
    database_url: str, report_data: ReportData, tmp_path: Path
) -> None:
    result = _export(database_url, "--org", "999", "--output", str(tmp_path / "x.jsonl"))
    assert result.exit_code == 2
    assert "No organization 999" in result.output
