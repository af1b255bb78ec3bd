"""When a sign-in may be tried again after failures: slowed first, then refused a while.

Failures count twice: per account (the email tried) and per client address, so that one
password tried against many emails from one address is stopped too. Pure: the caller passes
the times of the recent failed attempts and the time now.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

WINDOW = timedelta(minutes=15)
"""Failures older than this are forgotten."""
FREE_ATTEMPTS = 3
"""Failures allowed before any wait."""
LOCKOUT_AFTER = 10
"""Failures for one account within the window that lock the account for LOCKOUT."""
ADDRESS_LOCKOUT_AFTER = 20
"""Failures from one client address within the window, whatever the emails, that lock
that address out for LOCKOUT. Higher than LOCKOUT_AFTER: an office shares one address."""
LOCKOUT = timedelta(minutes=15)
MAX_DELAY = timedelta(seconds=60)
MAX_ADDRESS_LENGTH = 64

Scope = Literal["account", "address"]


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: timedelta = timedelta(0)
    locked: bool = False
    scope: Scope = "account"
    """What is being held back: the account tried, or the address the tries come from."""

    @property
    def retry_after_seconds(self) -> int:
        return max(1, -(-int(self.retry_after.total_seconds() * 1000) // 1000))


ALLOWED = Verdict(allowed=True)


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
        return ALLOWED
    last = window[-1]
    if len(window) >= LOCKOUT_AFTER:
        return _locked_until(last + LOCKOUT, now, "account")
    until = last + delay_after(len(window))
    if now < until:
        return Verdict(allowed=False, retry_after=until - now)
    return ALLOWED


def check_address(failures: Sequence[datetime], now: datetime) -> Verdict:
    """May anyone sign in from this client address now, given the failures from it?

    No doubling waits here, only the lockout: people behind one address should not wait
    for each other's typing mistakes.
    """
    window = recent(failures, now)
    if len(window) < ADDRESS_LOCKOUT_AFTER:
        return ALLOWED
    return _locked_until(window[-1] + LOCKOUT, now, "address")


def check_both(
    account_failures: Sequence[datetime], address_failures: Sequence[datetime], now: datetime
) -> Verdict:
    """The stricter of the account's and the address's verdicts (the longer wait)."""
    refusals = [
        verdict
        for verdict in (check_address(address_failures, now), check(account_failures, now))
        if not verdict.allowed
    ]
    return max(refusals, key=lambda verdict: verdict.retry_after, default=ALLOWED)


def address_key(host: str) -> str:
    """The client address as stored and counted: one spelling per IP address."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host[:MAX_ADDRESS_LENGTH]
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.compressed[:MAX_ADDRESS_LENGTH]


def _locked_until(until: datetime, now: datetime, scope: Scope) -> Verdict:
    if now < until:
        return Verdict(allowed=False, retry_after=until - now, locked=True, scope=scope)
    return ALLOWED
