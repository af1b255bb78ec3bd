"""When a sign-in may be tried again after failures: slowed first, then refused a while.

Pure: the caller passes the times of an account's recent failed attempts and the time now.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

WINDOW = timedelta(minutes=15)
"""Failures older than this are forgotten."""
FREE_ATTEMPTS = 3
"""Failures allowed before any wait."""
LOCKOUT_AFTER = 10
"""Failures within the window that lock the account for LOCKOUT."""
LOCKOUT = timedelta(minutes=15)
MAX_DELAY = timedelta(seconds=60)


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: timedelta = timedelta(0)
    locked: bool = False

    @property
    def retry_after_seconds(self) -> int:
        return max(1, -(-int(self.retry_after.total_seconds() * 1000) // 1000))


def delay_after(failures: int) -> timedelta:
    """The wait imposed after this many failures in the window (doubling, capped)."""
    if failures < FREE_ATTEMPTS:
        return timedelta(0)
    return min(MAX_DELAY, timedelta(seconds=2 ** (failures - FREE_ATTEMPTS)))


def recent(failures: Sequence[datetime], now: datetime) -> list[datetime]:
    return sorted(moment for moment in failures if now - moment < WINDOW)


def check(failures: Sequence[datetime], now: datetime) -> Verdict:
    """May the account try to sign in now, given its failed attempts?"""
    window = recent(failures, now)
    if not window:
        return Verdict(allowed=True)
    last = window[-1]
    if len(window) >= LOCKOUT_AFTER:
        until = last + LOCKOUT
        if now < until:
            return Verdict(allowed=False, retry_after=until - now, locked=True)
        return Verdict(allowed=True)
    until = last + delay_after(len(window))
    if now < until:
        return Verdict(allowed=False, retry_after=until - now)
    return Verdict(allowed=True)
