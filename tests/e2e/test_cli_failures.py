"""Commands never guess: a missing database is refused, never created; every known failure
is one line on stderr and a non-zero exit, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from consentline.cli import app
from consentline.service import orgs as org_service
from consentline.service.demo import SYSTEM
from consentline.service.unit_of_work import UnitOfWork
from tests.helpers import FakeClock

CONSENTLINE = [sys.executable, "-m", "consentline"]
UNREACHABLE = "postgresql+psycopg://consentline:secret@127.0.0.1:1/consentline"


def _one_line_error(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: "), stderr
    assert "Traceback" not in stderr
    return lines[0]


def test_archive_verify_in_another_folder_refuses_and_creates_nothing(tmp_path: Path) -> None:
    """The command as a user runs it, from a folder without a database."""
    env = {k: v for k, v in os.environ.items() if k != "CONSENTLINE_DATABASE_URL"}
    result = subprocess.run(
        [*CONSENTLINE, "archive", "verify"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    line = _one_line_error(result.stderr)
    assert f"no database at {tmp_path / 'consentline.db'}" in line
    assert result.stdout == ""
    assert list(tmp_path.iterdir()) == []


MISSING_DATABASE_COMMANDS = [
    ["worker"],
    ["archive", "verify"],
    ["archive", "checkpoint"],
    ["archive", "export", "--org", "1", "--output", "{tmp}/out.jsonl"],
    ["archive", "retention", "--org", "1"],
    ["archive", "purge", "--dry-run"],
    ["salesforce", "sync"],
    [
        "salesforce", "connect", "--org", "1", "--username", "u@example.com",
        "--password", "pw", "--client-id", "id", "--client-secret", "secret",
    ],
]  # fmt: skip


@pytest.mark.parametrize("command", MISSING_DATABASE_COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_every_command_but_serve_bootstrap_and_demo_refuses_a_missing_sqlite_file(
    tmp_path: Path, command: list[str]
) -> None:
    database = tmp_path / "missing.db"
    args = [part.replace("{tmp}", str(tmp_path)) for part in command]
    result = CliRunner().invoke(app, [*args, "--database-url", f"sqlite:///{database}"])
    assert result.exit_code == 2, result.output
    assert "no database at" in _one_line_error(result.stderr)
    assert not database.exists()


def test_bootstrap_creates_the_database_it_is_given(tmp_path: Path) -> None:
    database = tmp_path / "new.db"
    result = CliRunner().invoke(app, ["bootstrap", "--database-url", f"sqlite:///{database}"])
    assert result.exit_code == 0, result.output
    assert database.is_file()


@pytest.mark.parametrize(
    "command",
    [["archive", "verify"], ["worker"], ["bootstrap"], ["archive", "purge"]],
    ids=lambda c: " ".join(c),
)
def test_an_unreachable_database_is_one_line(command: list[str]) -> None:
    result = CliRunner().invoke(app, [*command, "--database-url", UNREACHABLE])
    assert result.exit_code == 2, result.output
    line = _one_line_error(result.stderr)
    assert line.startswith("error: the database cannot be used: ")
    assert "secret" not in result.output


def test_a_database_url_of_another_kind_is_one_line() -> None:
    result = CliRunner().invoke(app, ["archive", "verify", "--database-url", "mysql://x/y"])
    assert result.exit_code == 2
    assert "sqlite:// or postgresql+psycopg://" in _one_line_error(result.stderr)


@pytest.fixture
def existing(database_url: str, engine: Engine, clock: FakeClock) -> str:
    """A database with one organization (id returned in the URL's fixture, see tests)."""
    with UnitOfWork(engine) as uow:
        org_service.create_org(uow, SYSTEM, "Northwind", None, clock())
    return database_url


@pytest.mark.parametrize(
    "command",
    [
        ["archive", "export", "--org", "999", "--output", "{tmp}/out.jsonl"],
        ["archive", "retention", "--org", "999"],
        ["archive", "purge", "--org", "999"],
        ["archive", "checkpoint", "--org", "999"],
    ],
    ids=lambda c: c[1],
)
def test_an_unknown_organization_is_one_line(
    existing: str, tmp_path: Path, command: list[str]
) -> None:
    args = [part.replace("{tmp}", str(tmp_path)) for part in command]
    result = CliRunner().invoke(app, [*args, "--database-url", existing])
    assert result.exit_code == 2, result.output
    assert _one_line_error(result.stderr) == "error: No organization 999."
    assert not (tmp_path / "out.jsonl").exists()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            ["--format", "eml", "--output", "{tmp}/archive.jsonl"],
            "--format eml writes a .zip file; name the output archive.zip",
        ),
        (
            ["--format", "jsonl", "--output", "{tmp}/archive.zip"],
            "--format jsonl writes a .jsonl file; name the output archive.jsonl",
        ),
        (
            ["--output", "{tmp}/no/such/folder/a.jsonl"],
            "the folder {tmp}/no/such/folder does not exist",
        ),
        (
            ["--output", "{tmp}/a.jsonl", "--from", "January"],
            "--from must be a date like 2026-01-31",
        ),
    ],
    ids=["eml-with-jsonl-name", "jsonl-with-zip-name", "missing-folder", "bad-date"],
)
def test_export_refuses_a_bad_option_mix_before_any_work(
    existing: str, tmp_path: Path, options: list[str], message: str
) -> None:
    args = [part.replace("{tmp}", str(tmp_path)) for part in options]
    result = CliRunner().invoke(
        app, ["archive", "export", "--org", "1", *args, "--database-url", existing]
    )
    assert result.exit_code == 2, result.output
    assert message.replace("{tmp}", str(tmp_path)) in _one_line_error(result.stderr)


def test_retention_refusals_are_one_line(existing: str) -> None:
    runner = CliRunner()
    no_reason = runner.invoke(
        app, ["archive", "retention", "--org", "1", "--hold", "--database-url", existing]
    )
    assert no_reason.exit_code == 2
    assert _one_line_error(no_reason.stderr) == "error: A legal hold needs a reason."
