"""Failed sign-ins: free at first, then slowed (doubling waits), then refused a while.

Per account, and per client address across every email tried from it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from consentline.domain.sign_in_throttle import (
    ADDRESS_LOCKOUT_AFTER,
    FREE_ATTEMPTS,
    LOCKOUT,
    LOCKOUT_AFTER,
    WINDOW,
    address_key,
    check,
    check_address,
    check_both,
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


def test_an_address_is_locked_out_only_after_many_more_failures_than_an_account() -> None:
    assert ADDRESS_LOCKOUT_AFTER > LOCKOUT_AFTER
    # No doubling waits per address: people behind one address do not wait for each other.
    assert check_address(failures(ADDRESS_LOCKOUT_AFTER - 1), NOW).allowed


def test_too_many_failures_from_one_address_lock_it_out_for_a_while() -> None:
    verdict = check_address(failures(ADDRESS_LOCKOUT_AFTER, spacing=1), NOW + timedelta(minutes=5))
    assert not verdict.allowed
    assert verdict.locked
    assert verdict.scope == "address"
    assert verdict.retry_after == LOCKOUT - timedelta(minutes=5)
    assert check_address(failures(ADDRESS_LOCKOUT_AFTER, spacing=1), NOW + LOCKOUT).allowed


def test_an_address_forgets_old_failures() -> None:
    old = [NOW - WINDOW - timedelta(seconds=1)] * (ADDRESS_LOCKOUT_AFTER + 5)
    assert check_address(old, NOW).allowed


def test_a_locked_address_refuses_even_an_account_without_failures() -> None:
    verdict = check_both([], failures(ADDRESS_LOCKOUT_AFTER), NOW)
    assert not verdict.allowed
    assert verdict.scope == "address"
    assert verdict.retry_after == LOCKOUT


def test_an_account_is_held_back_whatever_address_the_tries_come_from() -> None:
    verdict = check_both(failures(LOCKOUT_AFTER), [], NOW)
    assert not verdict.allowed
    assert verdict.locked
    assert verdict.scope == "account"
    assert check_both([], [], NOW).allowed


def test_when_both_refuse_the_longer_wait_is_given() -> None:
    account_waits = failures(FREE_ATTEMPTS)  # a one-second wait for the account
    verdict = check_both(account_waits, failures(ADDRESS_LOCKOUT_AFTER), NOW)
    assert verdict.scope == "address"
    assert verdict.retry_after == LOCKOUT
    earlier = [moment - timedelta(minutes=5) for moment in failures(ADDRESS_LOCKOUT_AFTER)]
    verdict = check_both(failures(LOCKOUT_AFTER), earlier, NOW)
    assert verdict.scope == "account"
    assert verdict.retry_after == LOCKOUT


def test_an_address_is_counted_under_one_spelling() -> None:
    assert address_key("2001:DB8:0:0:0:0:0:1") == "2001:db8::1"
    assert address_key("::ffff:192.0.2.7") == "192.0.2.7"
    assert address_key("192.0.2.7") == "192.0.2.7"
    assert address_key("testclient") == "testclient"
    assert len(address_key("x" * 500)) == 64
