"""Failed sign-ins: free at first, then slowed (doubling waits), then refused a while."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from consentline.domain.sign_in_throttle import (
    FREE_ATTEMPTS,
    LOCKOUT,
    LOCKOUT_AFTER,
    WINDOW,
    check,
    delay_after,
)

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def failures(count: int, spacing: float = 0.0) -> list[datetime]:
    return [NOW - timedelta(seconds=spacing * (count - 1 - i)) for i in range(count)]


def test_no_failure_is_allowed() -> None:
    assert check([], NOW).allowed


def test_the_first_failures_cost_nothing() -> None:
    assert check(failures(FREE_ATTEMPTS - 1), NOW).allowed


def test_after_the_free_attempts_each_try_must_wait_longer() -> None:
    assert delay_after(FREE_ATTEMPTS) == timedelta(seconds=1)
    assert delay_after(FREE_ATTEMPTS + 1) == timedelta(seconds=2)
    assert delay_after(FREE_ATTEMPTS + 3) == timedelta(seconds=8)
    verdict = check(failures(FREE_ATTEMPTS + 1), NOW)
    assert not verdict.allowed
    assert not verdict.locked
    assert verdict.retry_after == timedelta(seconds=2)
    assert check(failures(FREE_ATTEMPTS + 1), NOW + timedelta(seconds=2)).allowed


def test_too_many_failures_lock_the_account_for_a_while() -> None:
    verdict = check(failures(LOCKOUT_AFTER, spacing=1), NOW + timedelta(minutes=5))
    assert not verdict.allowed
    assert verdict.locked
    assert verdict.retry_after == LOCKOUT - timedelta(minutes=5)
    assert check(failures(LOCKOUT_AFTER, spacing=1), NOW + LOCKOUT).allowed


def test_old_failures_are_forgotten() -> None:
    old = [NOW - WINDOW - timedelta(seconds=1)] * (LOCKOUT_AFTER + 5)
    assert check(old, NOW).allowed


def test_retry_after_seconds_rounds_up() -> None:
    verdict = check(failures(FREE_ATTEMPTS), NOW + timedelta(milliseconds=200))
    assert not verdict.allowed
    assert verdict.retry_after_seconds == 1
