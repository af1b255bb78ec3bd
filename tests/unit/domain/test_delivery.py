"""Delivery statuses: a report only moves a message forward; terminal states stay."""

from __future__ import annotations

import itertools

import pytest

from consentline.domain.delivery import TERMINAL, DeliveryStatus as S, may_replace, parse


@pytest.mark.parametrize(
    ("current", "new", "replaces"),
    [
        (None, S.SENT, True),
        (None, S.UNKNOWN, True),
        (S.UNKNOWN, S.QUEUED, True),
        (S.UNKNOWN, S.UNKNOWN, False),
        (S.QUEUED, S.SENDING, True),
        (S.SENDING, S.SENT, True),
        (S.SENT, S.DELIVERED, True),
        (S.DELIVERED, S.READ, True),
        (S.DELIVERED, S.SENT, False),  # late and out of order
        (S.SENT, S.QUEUED, False),
        (S.SENT, S.FAILED, True),
        (S.DELIVERED, S.UNDELIVERED, True),
        (S.READ, S.FAILED, False),  # a late failed never overwrites read
        (S.READ, S.DELIVERED, False),
        (S.FAILED, S.READ, False),
        (S.FAILED, S.UNDELIVERED, False),
        (S.UNDELIVERED, S.FAILED, False),
        (S.CANCELED, S.SENT, False),
        (S.SENT, S.UNKNOWN, False),
    ],
)
def test_which_report_replaces_which(current: S | None, new: S, replaces: bool) -> None:
    assert may_replace(current, new) is replaces


def test_terminal_states_are_never_replaced() -> None:
    for current in TERMINAL:
        assert not any(may_replace(current, new) for new in S)


@pytest.mark.parametrize(
    "life",
    [
        [S.QUEUED, S.SENDING, S.SENT, S.DELIVERED, S.READ],
        [S.ACCEPTED, S.QUEUED, S.SENT, S.UNDELIVERED],
        [S.QUEUED, S.SENDING, S.SENT, S.FAILED],
        [S.SENT, S.DELIVERED, S.UNDELIVERED],
        [S.UNKNOWN, S.SENT, S.DELIVERED],
    ],
)
def test_a_sends_reports_in_any_order_end_in_its_last_state(life: list[S]) -> None:
    for order in itertools.permutations(life):
        state: S | None = None
        for report in order:
            state = report if may_replace(state, report) else state
        assert state is life[-1], order


def test_carrier_words_are_read_and_unknown_ones_kept_as_unknown() -> None:
    assert parse("delivered") is S.DELIVERED
    assert parse(" READ ") is S.READ
    assert parse("receiving") is S.UNKNOWN
    assert parse("") is S.UNKNOWN
