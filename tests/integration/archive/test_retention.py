"""Retention: purges past the period, never under legal hold, and verify still passes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from consentline.archive import retention
from consentline.cli import app
from consentline.domain.errors import Conflict, InvalidInput
from consentline.service.archive_verify import verify
from consentline.store.tables import consent_events, conversations, messages
from tests.helpers import FakeClock
from tests.integration.archive.conftest import ALICE, BOB
from tests.integration.conftest import Gateway


def _messages_of(engine: Engine, contact: str) -> int:
    with engine.connect() as conn:
        query = (
            select(func.count())
            .select_from(messages.join(conversations))
            .where(conversations.c.contact == contact)
        )
        return int(conn.execute(query).scalar_one())


def test_default_is_six_years_without_hold(traffic: Gateway, engine: Engine) -> None:
    with engine.connect() as conn:
        policy = retention.policy_for(conn, traffic.org_id)
    assert policy == retention.Retention(6 * 365 + 2, False, None)


def test_purge_removes_only_conversations_past_retention(
    traffic: Gateway, engine: Engine, clock: FakeClock
) -> None:
    clock.advance(days=6 * 365)
    traffic.outbound(ALICE, "Still here after six years")
    now = clock.advance(days=3)
    with engine.begin() as conn:
        dry = retention.purge(conn, traffic.org_id, now, dry_run=True)
    assert (dry.conversations, dry.records) == (1, 0)
    assert _messages_of(engine, BOB) > 0
    with engine.begin() as conn:
        result = retention.purge(conn, traffic.org_id, now)
    assert result.conversations == 1
    assert result.records > 0
    assert _messages_of(engine, BOB) == 0
    assert _messages_of(engine, ALICE) > 0
    with engine.connect() as conn:
        state = conn.execute(
            select(conversations.c.state).where(conversations.c.contact == BOB)
        ).scalar_one()
    assert state == "opted_out"  # the consent record outlives its purged messages
    assert verify(engine).problem is None
    traffic.outbound(BOB, "Are you there?")  # blocked, and chained after the purge
    assert verify(engine).problem is None


def test_a_record_removed_after_a_purge_is_still_detected(
    traffic: Gateway, engine: Engine, clock: FakeClock
) -> None:
    now = clock.advance(days=6 * 365 + 10)
    with engine.begin() as conn:
        retention.purge(conn, traffic.org_id, now)
    traffic.inbound(BOB, "hello again")
    with engine.begin() as conn:
        newest = select(func.max(consent_events.c.id)).scalar_subquery()
        assert conn.execute(consent_events.delete().where(consent_events.c.id == newest)).rowcount

    problem = verify(engine).problem
    assert problem is not None
    assert "removed" in problem


def test_legal_hold_blocks_the_purge(traffic: Gateway, engine: Engine, clock: FakeClock) -> None:
    now = clock.advance(days=7 * 365)
    with engine.begin() as conn:
        retention.set_policy(
            conn, traffic.org_id, "test", now, legal_hold=True, reason="SEC inquiry"
        )
    with engine.begin() as conn, pytest.raises(Conflict, match="legal hold"):
        retention.purge(conn, traffic.org_id, now)
    assert _messages_of(engine, BOB) > 0
    with engine.begin() as conn:
        retention.set_policy(conn, traffic.org_id, "test", now, legal_hold=False)
        assert retention.purge(conn, traffic.org_id, now).conversations == 2


def test_a_longer_period_keeps_records(traffic: Gateway, engine: Engine, clock: FakeClock) -> None:
    now = clock.advance(days=7 * 365)
    with engine.begin() as conn:
        retention.set_policy(conn, traffic.org_id, "test", now, retention_days=10 * 365)
        assert retention.purge(conn, traffic.org_id, now).conversations == 0
    with engine.begin() as conn, pytest.raises(InvalidInput):
        retention.set_policy(conn, traffic.org_id, "test", now, retention_days=30)
    with engine.begin() as conn, pytest.raises(InvalidInput, match="reason"):
        retention.set_policy(conn, traffic.org_id, "test", now, legal_hold=True)


def test_cli_retention_and_purge(traffic: Gateway, database_url: str, engine: Engine) -> None:
    runner = CliRunner()
    org = str(traffic.org_id)
    shown = runner.invoke(
        app, ["archive", "retention", "--database-url", database_url, "--org", org]
    )
    assert shown.exit_code == 0, shown.output
    assert "retention 2192 days, no legal hold" in shown.output
    held = runner.invoke(
        app,
        [
            "archive",
            "retention",
            "--database-url",
            database_url,
            "--org",
            org,
            "--hold",
            "--reason",
            "FINRA exam",
        ],
    )
    assert "legal hold: FINRA exam" in held.output
    refused = runner.invoke(app, ["archive", "purge", "--database-url", database_url, "--org", org])
    assert refused.exit_code == 3
    assert "legal hold" in refused.output
    runner.invoke(
        app, ["archive", "retention", "--database-url", database_url, "--org", org, "--release"]
    )
    fresh = runner.invoke(app, ["archive", "purge", "--database-url", database_url, "--org", org])
    assert fresh.exit_code == 0, fresh.output
    assert "purged 0 conversations" in fresh.output  # today's traffic is within six years
    assert _messages_of(engine, BOB) > 0
    assert timedelta(days=retention.DEFAULT_RETENTION_DAYS).days == 2192
