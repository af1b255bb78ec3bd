"""Decisions no message made (domain/recorded.py) and the consent CSV (domain/consent_csv.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from consentline.domain.consent import ConsentRecord, Party, State
from consentline.domain.consent_csv import format_rows, parse
from consentline.domain.errors import InvalidInput
from consentline.domain.policy import HeldMessage
from consentline.domain.recorded import Outcome, judge_import, last_change_at, recorded_decision
from consentline.domain.settings import Mode, PolicySettings

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
EARLIER = NOW - timedelta(days=30)
CONSENT = PolicySettings(entitled=True, enabled=True, mode=Mode.CONSENT)


def test_an_opt_out_discards_held_messages_and_sends_nothing_unless_asked() -> None:
    pending = ConsentRecord(State.PENDING, Mode.CONSENT, Party.CONTACT, EARLIER)
    held = (HeldMessage(7, NOW - timedelta(hours=1)),)
    quiet = recorded_decision(pending, CONSENT, State.OPTED_OUT, NOW, NOW, held)
    assert quiet.record.state is State.OPTED_OUT
    assert quiet.record.decided_at == NOW
    assert quiet.discard == (7,)
    assert quiet.auto_messages == ()
    told = recorded_decision(pending, CONSENT, State.OPTED_OUT, NOW, NOW, held, notify_contact=True)
    assert [m.template for m in told.auto_messages] == ["mt_optout_confirmation"]


def test_an_opt_in_releases_held_messages_and_expires_old_ones() -> None:
    pending = ConsentRecord(State.PENDING, Mode.CONSENT, Party.EMPLOYEE, EARLIER)
    held = (HeldMessage(1, NOW - timedelta(days=8)), HeldMessage(2, NOW - timedelta(hours=1)))
    decision = recorded_decision(pending, CONSENT, State.OPTED_IN, EARLIER, NOW, held)
    assert (decision.release, decision.expire) == ((2,), (1,))
    assert decision.record.initiated_by is Party.EMPLOYEE


@pytest.mark.parametrize(
    ("current", "state", "decided_at", "evidence", "allow", "outcome", "reason"),
    [
        (State.NONE, State.OPTED_OUT, None, None, False, Outcome.APPLY, None),
        (State.OPTED_OUT, State.OPTED_OUT, EARLIER, None, False, Outcome.UNCHANGED, None),
        (State.OPTED_IN, State.OPTED_IN, None, None, False, Outcome.UNCHANGED, None),
        (State.NONE, State.OPTED_IN, None, "form", False, Outcome.QUARANTINE, "needs decided_at"),
        (State.NONE, State.OPTED_IN, EARLIER, None, False, Outcome.QUARANTINE, "needs decided_at"),
        (State.NONE, State.OPTED_IN, EARLIER, "form", False, Outcome.APPLY, None),
        (State.OPTED_OUT, State.OPTED_IN, NOW, "form", False, Outcome.QUARANTINE, "allow-opt-in"),
        (State.OPTED_OUT, State.OPTED_IN, NOW, "form", True, Outcome.APPLY, None),
        (
            State.OPTED_IN,
            State.OPTED_OUT,
            EARLIER - timedelta(1),
            None,
            False,
            Outcome.QUARANTINE,
            "a later change",
        ),
        (State.OPTED_IN, State.OPTED_OUT, None, None, False, Outcome.APPLY, None),
    ],
)
def test_the_import_rules(
    current: State,
    state: State,
    decided_at: datetime | None,
    evidence: str | None,
    allow: bool,
    outcome: Outcome,
    reason: str | None,
) -> None:
    record = ConsentRecord(current, Mode.CONSENT, Party.CONTACT, EARLIER, decided_at=EARLIER)
    verdict = judge_import(
        record, last_change_at(record), state, decided_at, evidence, allow_opt_in=allow
    )
    assert verdict.outcome is outcome
    if reason is not None:
        assert verdict.reason is not None
        assert reason in verdict.reason


def test_a_csv_row_is_named_by_its_line_in_the_file_even_across_quoted_newlines() -> None:
    data = b'contact,state,evidence\n+15557770001,opted_out,"two\nlines"\n\n+1555,opted_out,\n'
    parsed = parse(data, NOW)
    assert [row.row for row in parsed.rows] == [2]
    assert parsed.rows[0].evidence == "two\nlines"
    assert [(p.row, p.reason.split(":")[0]) for p in parsed.invalid] == [(5, "contact")]


def test_a_file_without_the_required_columns_cannot_be_read() -> None:
    with pytest.raises(InvalidInput, match="missing column"):
        parse(b"line,contact\n1,+15557770001\n", NOW)
    with pytest.raises(InvalidInput, match="repeated column"):
        parse(b"contact,state,state\n", NOW)


def test_exported_cells_cannot_run_as_spreadsheet_formulas() -> None:
    text = "".join(
        format_rows([("+15550001001", "+15557770001", "sms", "opted_out", NOW, "=cmd", "-1+2")])
    )
    assert text.splitlines()[1] == (
        "+15550001001,+15557770001,sms,opted_out,2026-01-05T09:00:00Z,'=cmd,'-1+2"
    )
